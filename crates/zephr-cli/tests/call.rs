//! `zephr call`, `zephr emulator` and `zephr demo` against a real emulator.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::{BufRead, BufReader};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use zephr_emulator::{BackgroundEmulator, Config, DEMO_ACCESS_KEY, DEMO_SECRET_KEY, Fault};

fn zephr(base_url: &str, secret: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_zephr"))
        .args(args)
        .env_remove("ZEPHR_TENANT")
        .env("ZEPHR_BASE_URL", base_url)
        .env("ZEPHR_ACCESS_KEY", DEMO_ACCESS_KEY)
        .env("ZEPHR_SECRET_KEY", secret)
        .output()
        .expect("zephr runs")
}

fn call(emulator: &BackgroundEmulator, args: &[&str]) -> Output {
    let mut all = vec!["call"];
    all.extend_from_slice(args);
    zephr(&emulator.base_url(), DEMO_SECRET_KEY, &all)
}

fn stdout_json(output: &Output) -> Value {
    assert!(
        output.status.success(),
        "status {:?}, stderr: {}",
        output.status.code(),
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn emulator() -> BackgroundEmulator {
    BackgroundEmulator::spawn(Config::default()).unwrap()
}

#[test]
fn user_crud_round_trip() {
    let emu = emulator();
    let created = stdout_json(&call(
        &emu,
        &[
            "createUser",
            "--body",
            r#"{"identifiers":{"email_address":"ada@example.com"},"attributes":{"first_name":"Ada"}}"#,
        ],
    ));
    let id = created["data"]["user_id"].as_str().unwrap().to_owned();
    let user_param = format!("user_id={id}");

    let got = stdout_json(&call(&emu, &["getUser", "--param", &user_param]));
    assert_eq!(got["attributes"]["first_name"], "Ada");

    let patched = call(
        &emu,
        &[
            "updateUserAttribute",
            "--param",
            &user_param,
            "--body",
            r#"{"surname":"Lovelace"}"#,
        ],
    );
    assert!(patched.status.success(), "{}", stderr(&patched));
    let found = stdout_json(&call(
        &emu,
        &[
            "listUsers",
            "--param",
            "identifiers.email_address=ada@example.com",
        ],
    ));
    assert_eq!(found["results"][0]["attributes"]["surname"], "Lovelace");

    let deleted = call(&emu, &["deleteUser", "--param", &user_param]);
    assert!(deleted.status.success());
    assert!(deleted.stdout.is_empty());
    let gone = call(&emu, &["getUser", "--param", &user_param]);
    assert_eq!(gone.status.code(), Some(1));
    let message = stderr(&gone);
    assert!(
        message.starts_with("zephr: not_found (HTTP 404): no user has the id"),
        "{message}"
    );
    assert!(message.contains("request id: emu-"), "{message}");
}

#[test]
fn accounts_members_and_grants_round_trip() {
    let emu = emulator();
    let account = stdout_json(&call(
        &emu,
        &[
            "createAccount",
            "--body",
            r#"{"name":"Acme","number_of_seats":2}"#,
        ],
    ));
    let account_id = account["account_id"].as_str().unwrap().to_owned();
    let user = stdout_json(&call(
        &emu,
        &[
            "createUser",
            "--body",
            r#"{"identifiers":{"email_address":"m@acme.test"}}"#,
        ],
    ));
    let user_id = user["data"]["user_id"].as_str().unwrap().to_owned();
    let (account_param, user_param) = (
        format!("account_id={account_id}"),
        format!("user_id={user_id}"),
    );

    let saved = stdout_json(&call(
        &emu,
        &[
            "saveAccountUser",
            "--param",
            &account_param,
            "--param",
            &user_param,
        ],
    ));
    assert_eq!(saved["account_id"], account_id.as_str());
    let members = stdout_json(&call(
        &emu,
        &["listAccountUsers", "--param", &account_param],
    ));
    assert_eq!(members[0]["user_id"], user_id.as_str());

    let grant = stdout_json(&call(
        &emu,
        &[
            "createGrants",
            "--param",
            &format!("userId={user_id}"),
            "--body",
            r#"{"entitlement_id":"gold","entitlement_type":"bundle"}"#,
        ],
    ));
    assert_eq!(grant["expiry_state"], "active");
    let grants = stdout_json(&call(
        &emu,
        &[
            "listUserGrants",
            "--param",
            &format!("userId={user_id}"),
            "--param",
            "active=true",
        ],
    ));
    assert_eq!(grants["results"][0]["entitlement_id"], "gold");

    let page = stdout_json(&call(
        &emu,
        &["listAccounts", "--param", "rpp=1", "--param", "page=1"],
    ));
    assert_eq!(
        (page["total"].as_u64(), page["results"][0]["name"].as_str()),
        (Some(1), Some("Acme"))
    );
    assert!(
        call(
            &emu,
            &[
                "deleteAccountUser",
                "--param",
                &account_param,
                "--param",
                &user_param
            ]
        )
        .status
        .success()
    );
    assert!(
        call(
            &emu,
            &["deleteAccount", "--param", &format!("id={account_id}")]
        )
        .status
        .success()
    );
    assert_eq!(
        call(
            &emu,
            &["getAccount", "--param", &format!("id={account_id}")]
        )
        .status
        .code(),
        Some(1)
    );
}

#[test]
fn raw_output_and_documented_samples() {
    let emu = emulator();
    let output = call(&emu, &["listWebhooks", "--raw"]);
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.starts_with("HTTP 200\n"), "{text}");
    assert!(text.contains("x-request-id: emu-"), "{text}");
    assert!(text.contains("content-type: application/json"), "{text}");
}

#[test]
fn retries_follow_the_core_policy() {
    let emu = emulator();
    emu.inject(
        Fault::Unavailable {
            retry_after_secs: 0,
        },
        1,
    );
    emu.inject(
        Fault::RateLimited {
            retry_after_secs: 0,
        },
        1,
    );
    let output = call(&emu, &["listProducts"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let notes = stderr(&output);
    assert!(notes.contains("HTTP 503; retrying in 0.0 s"), "{notes}");
    assert!(notes.contains("HTTP 429; retrying in 0.0 s"), "{notes}");
    assert_eq!(emu.requests_served(), 3);

    // Three failures: two retries, then the error.
    emu.inject(
        Fault::Unavailable {
            retry_after_secs: 0,
        },
        3,
    );
    let output = call(&emu, &["listProducts"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("zephr: server_error (HTTP 503): injected fault"),
        "{}",
        stderr(&output)
    );
    assert_eq!(emu.requests_served(), 6);

    // POST is not retried.
    emu.inject(
        Fault::Unavailable {
            retry_after_secs: 0,
        },
        1,
    );
    let output = call(
        &emu,
        &[
            "createUser",
            "--body",
            r#"{"identifiers":{"email_address":"x@y.z"}}"#,
        ],
    );
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(emu.requests_served(), 7);

    // --max-retries 0 disables retrying.
    emu.inject(
        Fault::RateLimited {
            retry_after_secs: 0,
        },
        1,
    );
    let output = call(&emu, &["listProducts", "--max-retries", "0"]);
    assert!(stderr(&output).contains("rate_limited (HTTP 429)"));
    assert!(stderr(&output).contains("hint: too many requests"));

    // A malformed 2xx body is an error too.
    emu.inject(Fault::Malformed, 1);
    let output = call(&emu, &["listProducts"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("decode_error"));
}

#[test]
fn errors_name_code_status_request_id_and_hint() {
    let emu = emulator();
    let output = zephr(&emu.base_url(), "wrong-secret", &["call", "listProducts"]);
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(
        message.starts_with("zephr: authentication_failed (HTTP 401): signature check failed"),
        "{message}"
    );
    assert!(message.contains("request id: emu-"));
    assert!(message.contains("hint: the request signature was rejected"));
    assert!(!message.contains("wrong-secret"), "the secret never shows");

    // Input errors are usage errors (exit 2), before anything is sent.
    let unknown = call(&emu, &["noSuchOperation"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(stderr(&unknown).contains("unknown_operation"));
    let missing = call(&emu, &["getUser"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(stderr(&missing).contains("missing_param"));
    let no_target = Command::new(env!("CARGO_BIN_EXE_zephr"))
        .args([
            "call",
            "listProducts",
            "--access-key",
            "a",
            "--secret-key",
            "s",
        ])
        .env_remove("ZEPHR_TENANT")
        .env_remove("ZEPHR_BASE_URL")
        .output()
        .unwrap();
    assert_eq!(no_target.status.code(), Some(2));

    // Nobody listening: the engine's connect_failed after the retries.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    let output = zephr(
        &format!("http://{closed}"),
        DEMO_SECRET_KEY,
        &["call", "listProducts", "--max-retries", "0"],
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("connect_failed: "),
        "{}",
        stderr(&output)
    );
}

#[test]
fn call_help_lists_groups_and_operations() {
    let output = Command::new(env!("CARGO_BIN_EXE_zephr"))
        .args(["call", "--help"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let help = String::from_utf8(output.stdout).unwrap();
    for expected in [
        "Users\n",
        "Account\n",
        "Grants\n",
        "createUser",
        "listAccounts",
        "/v3/users/{user_id}",
    ] {
        assert!(help.contains(expected), "{expected}");
    }
    assert!(help.matches("\n  ").count() >= zephr_admin::catalogue::OPERATIONS.len());
}

#[test]
fn emulator_command_serves_until_stopped() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_zephr"))
        .args(["emulator", "--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let url = first.rsplit(' ').next().unwrap().to_owned();
    assert!(url.starts_with("http://127.0.0.1:"), "{first}");
    let banner: Vec<String> = lines.by_ref().take(4).map(Result::unwrap).collect();
    assert!(
        banner.iter().any(|l| l.contains(DEMO_ACCESS_KEY)),
        "{banner:?}"
    );
    let output = zephr(&url, DEMO_SECRET_KEY, &["call", "listProducts"]);
    let served = stdout_json(&output);
    assert_eq!(served, serde_json::json!({"results": []}));
    // The request log.
    let logged = lines
        .find_map(|l| l.ok().filter(|l| l.contains("/v3/products")))
        .unwrap();
    assert_eq!(logged, "GET /v3/products -> 200");
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn emulator_command_refuses_bad_options() {
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_zephr"))
            .args(args)
            .output()
            .unwrap()
    };
    let output = run(&["emulator", "--port", "0", "--fault-503", "2"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("--fault-503 must be between 0 and 1"));
    let output = run(&[
        "emulator",
        "--port",
        "0",
        "--keys",
        "/nonexistent/keys.json",
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("cannot read key file"));
}

#[test]
fn demo_runs_the_scenario_in_seconds() {
    let started = Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_zephr"))
        .arg("demo")
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(started.elapsed() < Duration::from_secs(10));
    let text = String::from_utf8(output.stdout).unwrap();
    for step in [
        "POST /v3/users                               -> 201",
        "POST /v3/products",
        "/grants -> 201",
        "/grants -> 200  1 grant(s): product gold, active",
        "/sessions -> 200",
        "GET /v3/accounts?rpp=2&page=3",
        "-> 503, the core says: retry",
        "-> 200 (after 1 retry)",
        "-> 401",
        "authentication_failed (HTTP 401): signature check failed",
        "hint:",
    ] {
        assert!(text.contains(step), "missing {step:?} in:\n{text}");
    }
}
