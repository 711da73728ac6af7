//! `zephr ops` and `zephr prepare` over the whole catalogue.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::HashSet;
use std::process::{Command, Output};

use serde_json::Value;
use zephr_admin::catalogue::{BodyKind, OPERATIONS, find_operation};
use zephr_admin::{BaseUrl, Client, Credentials, Env};

fn zephr(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_zephr"))
        .args(args)
        .env_remove("ZEPHR_ACCESS_KEY")
        .env_remove("ZEPHR_SECRET_KEY")
        .env_remove("ZEPHR_TENANT")
        .env_remove("ZEPHR_BASE_URL")
        .env("ZEPHR_ACCESS_KEY", "ak")
        .env("ZEPHR_SECRET_KEY", "sk")
        .output()
        .expect("zephr runs")
}

fn json_stdout(output: &Output) -> Value {
    assert!(
        output.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

fn fails(output: &Output, case: &str) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{case}: {stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{case}: {stderr}");
    assert!(!stderr.contains("panicked"), "{case}");
    assert!(output.stdout.is_empty(), "{case}");
}

#[test]
fn ops_json_lists_every_documented_route() {
    let list = json_stdout(&zephr(&["ops", "--json"]));
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), OPERATIONS.len());
    let spec: Value =
        serde_json::from_str(include_str!("../../../spec/zephr-admin-api.json")).unwrap();
    let mut documented = HashSet::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if op.get("operationId").is_some() && op.get("x-zephr-inferred").is_none() {
                documented.insert((
                    method.to_ascii_uppercase(),
                    path.clone(),
                    op["operationId"].as_str().unwrap().to_owned(),
                ));
            }
        }
    }
    assert_eq!(documented.len(), 161);
    let listed: HashSet<(String, String, String)> = list
        .iter()
        .map(|o| {
            for key in ["operationId", "group", "method", "path", "summary"] {
                assert!(o[key].is_string(), "{o}: {key}");
            }
            (
                o["method"].as_str().unwrap().to_owned(),
                o["path"].as_str().unwrap().to_owned(),
                o["operationId"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(documented.is_subset(&listed));
}

#[test]
fn ops_table_groups_operations() {
    let out = zephr(&["ops", "--group", "account user"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("Account User\n"), "{text}");
    assert!(text.contains("listAccountUsers"));
    assert!(!text.contains("createGrant"));
}

#[test]
fn prepare_matches_the_library_for_every_operation() {
    let file: Value =
        serde_json::from_str(include_str!("../../../tests/vectors/operations.json")).unwrap();
    let client = Client::new(
        Credentials::new("ak", "sk").unwrap(),
        BaseUrl::parse("http://127.0.0.1:8080").unwrap(),
    );
    let env = Env::new(1_700_000_000_000, "n-1");
    for sample in file["operations"].as_array().unwrap() {
        let id = sample["operationId"].as_str().unwrap();
        let op = find_operation(id).unwrap();
        let mut args: Vec<String> = vec![
            "prepare".into(),
            id.into(),
            "--base-url".into(),
            "http://127.0.0.1:8080".into(),
            "--timestamp".into(),
            "1700000000000".into(),
            "--nonce".into(),
            "n-1".into(),
        ];
        for (name, value) in sample["params"].as_object().unwrap() {
            let value = value
                .as_str()
                .map_or_else(|| value.to_string(), str::to_owned);
            args.push("--param".into());
            args.push(format!("{name}={value}"));
        }
        let mut params = sample["params"].clone();
        if !sample["body"].is_null() {
            let text = match op.body {
                BodyKind::Text => sample["body"].as_str().unwrap().to_owned(),
                _ => serde_json::to_string(&sample["body"]).unwrap(),
            };
            args.push("--body".into());
            args.push(text);
            params["body"] = sample["body"].clone();
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let printed = json_stdout(&zephr(&args));
        let expected = client
            .prepare(&op.request_from_json(&params).unwrap(), &env)
            .unwrap();
        assert_eq!(printed["method"], expected.method, "{id}");
        assert_eq!(printed["url"], expected.url, "{id}");
        assert_eq!(
            printed["headers"]["authorization"].as_str(),
            expected.header("authorization"),
            "{id}"
        );
        let body = printed["body"]
            .as_str()
            .map(str::as_bytes)
            .unwrap_or_default();
        assert_eq!(body, expected.body.as_slice(), "{id}");
    }
}

#[test]
fn prepare_reads_the_body_from_a_file_and_uses_the_tenant() {
    let path = std::env::temp_dir().join(format!("zephr-body-{}.json", std::process::id()));
    std::fs::write(&path, r#"{"first_name":"Zoë"}"#).unwrap();
    let op = OPERATIONS
        .iter()
        .find(|op| op.method == "PATCH" && op.path.ends_with("/attributes"))
        .unwrap();
    let body_arg = format!("@{}", path.display());
    let out = json_stdout(&zephr(&[
        "prepare",
        op.id,
        "--tenant",
        "news",
        "--param",
        "user_id=u/1",
        "--body",
        &body_arg,
    ]));
    std::fs::remove_file(&path).unwrap();
    assert_eq!(
        out["url"],
        "https://news.api.zephr.com/v3/users/u%2F1/attributes"
    );
    assert_eq!(out["body"], r#"{"first_name":"Zoë"}"#);
    assert_eq!(out["headers"]["content-type"], "application/json");
}

#[test]
fn prepare_refuses_bad_input() {
    let base = [
        "--base-url",
        "http://127.0.0.1:1",
        "--timestamp",
        "1",
        "--nonce",
        "n",
    ];
    let with = |extra: &[&str]| {
        let mut args = vec!["prepare"];
        args.extend(extra);
        args.extend(base);
        zephr(&args)
    };
    fails(&with(&["noSuchOperation"]), "unknown operation");
    fails(&with(&["listAccountUsers"]), "missing required parameter");
    fails(
        &with(&[
            "listAccountUsers",
            "--param",
            "account_id=a",
            "--param",
            "acount=b",
        ]),
        "unknown parameter",
    );
    fails(
        &with(&["listAccountUsers", "--param", "account_id"]),
        "parameter without =",
    );
    let json_op = OPERATIONS
        .iter()
        .find(|op| op.body == BodyKind::Json && op.params.is_empty())
        .unwrap();
    fails(
        &with(&[json_op.id, "--body", "{not json"]),
        "malformed JSON body",
    );
    fails(
        &with(&[json_op.id, "--body", "@/nonexistent/file"]),
        "missing body file",
    );
    fails(
        &with(&[
            "listAccountUsers",
            "--param",
            "account_id=a",
            "--body",
            "{}",
        ]),
        "body on a GET",
    );
    fails(
        &zephr(&["prepare", "listAccountUsers", "--param", "account_id=a"]),
        "no target",
    );
    fails(
        &zephr(&[
            "prepare",
            "listAccountUsers",
            "--param",
            "account_id=a",
            "--tenant",
            "bad.tenant",
        ]),
        "bad tenant",
    );
}
