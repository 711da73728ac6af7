//! `zephr sign` against the shared vectors, an independent SHA-256 (`sha256sum`)
//! on random requests, and bad input.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::Write;
use std::process::{Command, Output};

use proptest::prelude::*;
use serde_json::Value;

fn zephr(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_zephr"));
    command
        .args(args)
        .env_remove("ZEPHR_ACCESS_KEY")
        .env_remove("ZEPHR_SECRET_KEY");
    for (k, v) in env {
        command.env(k, v);
    }
    command.output().expect("zephr runs")
}

fn stdout(output: &Output) -> String {
    assert!(
        output.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone())
        .unwrap()
        .trim_end()
        .to_owned()
}

fn vectors() -> Vec<Value> {
    let file: Value =
        serde_json::from_str(include_str!("../../../tests/vectors/signing.json")).unwrap();
    file["vectors"].as_array().unwrap().clone()
}

#[test]
fn reproduces_every_vector() {
    let dir = std::env::temp_dir().join(format!("zephr-sign-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for v in vectors() {
        let s = |k: &str| v[k].as_str().unwrap().to_owned();
        let body_file = dir.join(s("id"));
        std::fs::write(&body_file, s("body")).unwrap();
        for body_args in [
            vec!["--body".to_owned(), s("body")],
            vec!["--body-file".to_owned(), body_file.display().to_string()],
        ] {
            let mut args = vec![
                "sign".to_owned(),
                "--method".into(),
                s("method"),
                "--path".into(),
                s("path"),
                "--query".into(),
                s("query"),
                "--timestamp".into(),
                s("timestamp"),
                "--nonce".into(),
                s("nonce"),
            ];
            args.extend(body_args);
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            // Credentials from the environment, as recommended.
            let out = zephr(
                &args,
                &[
                    ("ZEPHR_ACCESS_KEY", &s("accessKey")),
                    ("ZEPHR_SECRET_KEY", &s("secretKey")),
                ],
            );
            assert_eq!(stdout(&out), s("authorization"), "{}", s("id"));
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn defaults_to_now_and_a_random_nonce() {
    let args = [
        "sign",
        "--method",
        "GET",
        "--path",
        "/v3/users",
        "--access-key",
        "ak",
        "--secret-key",
        "sk",
    ];
    let a = stdout(&zephr(&args, &[]));
    let b = stdout(&zephr(&args, &[]));
    let parts: Vec<&str> = a
        .strip_prefix("ZEPHR-HMAC-SHA256 ")
        .unwrap()
        .split(':')
        .collect();
    assert_eq!(parts.len(), 4);
    let ts: u64 = parts[1].parse().unwrap();
    assert!(ts > 1_700_000_000_000);
    assert_eq!(parts[2].len(), 32);
    assert_ne!(a, b);
}

/// SHA-256 by the system's coreutils, independent of the SDK's hashing.
fn independent_sha256(input: &[u8]) -> String {
    let mut child = Command::new("sha256sum")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("sha256sum");
    child.stdin.take().unwrap().write_all(input).unwrap();
    let out = child.wait_with_output().unwrap();
    String::from_utf8(out.stdout)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn random_requests_match_an_independent_sha256(
        method in prop_oneof![Just("GET"), Just("POST"), Just("PUT"), Just("PATCH"), Just("DELETE")],
        // Without dot segments, and without ' in the query: fetch would not send those as signed.
        path in "/[A-Za-z0-9._~%!$&'()*+,;=:@/-]{0,40}".prop_filter("no dot segment", |p| {
            !p.split('/').any(|s| matches!(s.to_ascii_lowercase().as_str(), "." | ".." | "%2e" | ".%2e" | "%2e." | "%2e%2e"))
        }),
        query in "[A-Za-z0-9._~%!$&()*+,;=:@/?=-]{0,40}".prop_filter("no leading ?", |q| !q.starts_with('?')),
        body in prop_oneof![Just(String::new()), any::<String>().prop_filter("no NUL in argv", |s| !s.contains('\0')), Just("{\"city\":\"東京\",\"a\":\"Zoë\"}".to_owned())],
        timestamp in 0u64..10_000_000_000_000,
        nonce in "[!-9;-~]{1,32}",
        secret in "[ -~]{1,40}",
    ) {
        let ts = timestamp.to_string();
        let out = zephr(
            &["sign", "--method", method, "--path", &path, "--query", &query, "--body", &body,
              "--timestamp", &ts, "--nonce", &nonce, "--access-key", "ak"],
            &[("ZEPHR_SECRET_KEY", &secret)],
        );
        let mut input = Vec::new();
        for part in [secret.as_bytes(), body.as_bytes(), path.as_bytes(), query.as_bytes(), method.as_bytes(), ts.as_bytes(), nonce.as_bytes()] {
            input.extend_from_slice(part);
        }
        let expected = format!("ZEPHR-HMAC-SHA256 ak:{ts}:{nonce}:{}", independent_sha256(&input));
        prop_assert_eq!(stdout(&out), expected);
    }
}

#[test]
fn bad_input_is_one_line_and_exit_2() {
    let secret = "very-secret-key-value";
    let base = [
        "sign",
        "--method",
        "GET",
        "--path",
        "/v3/users",
        "--access-key",
        "ak",
    ];
    let cases: Vec<Vec<&str>> = vec![
        vec!["--nonce", "a:b"],
        vec!["--nonce", ""],
        vec!["--nonce", "a b"],
        vec!["--timestamp", "-1"],
        vec!["--timestamp", "01"],
        vec!["--timestamp", "soon"],
        vec!["--timestamp", "99999999999999999999999"],
        vec!["--query", "?page=1"],
        vec!["--query", "a=b c"],
        vec!["--body-file", "/nonexistent/body"],
        vec!["--body", "x", "--body-file", "y"],
        vec!["--unknown-flag"],
    ];
    for extra in cases {
        let mut args = base.to_vec();
        args.extend(&extra);
        assert_fails(
            &zephr(&args, &[("ZEPHR_SECRET_KEY", secret)]),
            secret,
            &format!("{extra:?}"),
        );
    }
    let replace = |i: usize, v: &'static str| {
        let mut args = base.to_vec();
        args[i] = v;
        args
    };
    for args in [
        replace(2, "GE T"),
        replace(2, ""),
        replace(4, "v3/users"),
        replace(4, "/a b"),
        replace(6, "a:k"),
        replace(6, ""),
    ] {
        assert_fails(
            &zephr(&args, &[("ZEPHR_SECRET_KEY", secret)]),
            secret,
            &format!("{args:?}"),
        );
    }
    // Missing secret, empty secret, missing command.
    assert_fails(&zephr(&base, &[]), secret, "no secret");
    assert_fails(
        &zephr(&base, &[("ZEPHR_SECRET_KEY", "")]),
        secret,
        "empty secret",
    );
    assert_fails(&zephr(&[], &[]), secret, "no command");
}

fn assert_fails(out: &Output, secret: &str, case: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{case}: {stderr}");
    assert!(out.stdout.is_empty(), "{case}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{case}: {stderr}");
    assert!(stderr.starts_with("zephr: "), "{case}: {stderr}");
    assert!(
        !stderr.contains("panicked") && !stderr.contains("backtrace"),
        "{case}: {stderr}"
    );
    assert!(!stderr.contains(secret), "{case}: secret leaked");
}
