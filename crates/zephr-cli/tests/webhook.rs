//! `zephr webhook listen`: a real listener on 127.0.0.1 verifies deliveries
//! built by the SDK's testing kit and prints one line per delivery.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};

use serde_json::json;
use zephr_admin::webhook::{EventType, TestEvent, WebhookCredentials};

fn now_ms() -> i64 {
    zephr_admin::env::system_now_ms() as i64
}

#[test]
fn listen_verifies_refuses_and_prints() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_zephr"))
        .args([
            "webhook",
            "listen",
            "--port",
            "0",
            "--tolerance-secs",
            "60",
            "--count",
            "4",
        ])
        .env("ZEPHR_WEBHOOK_TOKEN", "cli-token-123")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    let url = first
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .expect("listening line")
        .to_owned();
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let send = |request: zephr_admin::webhook::WebhookRequest| {
        let mut builder = ureq::http::Request::builder()
            .method(request.method.as_str())
            .uri(&url);
        for (name, value) in &request.headers {
            builder = builder.header(name, value);
        }
        agent
            .run(builder.body(request.body).unwrap())
            .unwrap()
            .status()
            .as_u16()
    };
    let right = WebhookCredentials::bearer("cli-token-123").unwrap();
    let wrong = WebhookCredentials::bearer("cli-token-124").unwrap();
    let event = TestEvent::new(EventType::CreateUser, now_ms(), json!({"user_id": "u-9"}));
    assert_eq!(send(event.request("POST", Some(&right))), 200);
    assert_eq!(send(event.request("PUT", Some(&wrong))), 401);
    assert_eq!(send(event.request("POST", None)), 401);
    let stale = TestEvent::new(EventType::Grant, now_ms() - 3_600_000, json!({}));
    assert_eq!(send(stale.request("POST", Some(&right))), 400);
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).unwrap();
    assert!(child.wait().unwrap().success());
    let lines: Vec<&str> = rest.lines().collect();
    assert_eq!(lines.len(), 4, "{rest}");
    assert!(
        lines[0].starts_with("verified CREATE_USER") && lines[0].contains("\"u-9\""),
        "{rest}"
    );
    assert!(lines[1].contains("webhook_wrong_credentials"), "{rest}");
    assert!(lines[2].contains("webhook_missing_authorization"), "{rest}");
    assert!(lines[3].contains("webhook_stale_event"), "{rest}");
    assert!(!rest.contains("cli-token"), "the token is never printed");
}

#[test]
fn listen_needs_credentials() {
    let out = Command::new(env!("CARGO_BIN_EXE_zephr"))
        .args(["webhook", "listen", "--port", "0"])
        .env_remove("ZEPHR_WEBHOOK_TOKEN")
        .env_remove("ZEPHR_WEBHOOK_BASIC")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--bearer"));
}
