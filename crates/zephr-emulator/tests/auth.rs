//! The signature checks against a real server on 127.0.0.1: requests signed
//! by an independent SHA-256 implementation are accepted, and one byte
//! changed anywhere the signature covers is refused with 401 naming the check.

#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use std::time::Duration;

use common::{Emu, authorization, fresh_nonce, now_ms, start, start_with};
use serde_json::json;
use zephr_emulator::{Config, DEMO_ACCESS_KEY, DEMO_SECRET_KEY};

/// Changes the byte at `index` to another visible ASCII character.
fn flip(text: &str, index: usize) -> String {
    let mut bytes = text.as_bytes().to_vec();
    bytes[index] = if bytes[index] == b'a' { b'b' } else { b'a' };
    String::from_utf8(bytes).unwrap()
}

fn create_user(emu: &Emu, email: &str) -> String {
    let answer = emu.json(
        "POST",
        "/v3/users",
        "",
        &json!({"identifiers": {"email_address": email}}),
    );
    assert_eq!(answer.status, 201);
    answer.json()["data"]["user_id"]
        .as_str()
        .unwrap()
        .to_owned()
}

struct Parts {
    method: &'static str,
    path: String,
    query: String,
    body: Vec<u8>,
    timestamp: String,
    nonce: String,
}

impl Parts {
    fn header(&self) -> String {
        authorization(
            DEMO_ACCESS_KEY,
            DEMO_SECRET_KEY,
            self.method,
            &self.path,
            &self.query,
            &self.body,
            &self.timestamp,
            &self.nonce,
        )
    }

    /// Sends these parts with `header` (which may sign other parts).
    fn send(&self, emu: &Emu, header: &str) -> common::Answer {
        emu.raw(
            self.method,
            &self.path,
            &self.query,
            &[("authorization", header)],
            &self.body,
        )
    }
}

#[test]
fn independent_signature_accepted_and_every_one_byte_change_refused() {
    let emu = start();
    let user = create_user(&emu, "mutations@example.com");
    let fresh = |query: &str, body: &[u8], method: &'static str, path: String| Parts {
        method,
        path,
        query: query.to_owned(),
        body: body.to_vec(),
        timestamp: now_ms().to_string(),
        nonce: fresh_nonce(),
    };
    let patch = || {
        fresh(
            "",
            br#"{"first_name":"Ada"}"#,
            "PATCH",
            format!("/v3/users/{user}/attributes"),
        )
    };
    let list = || {
        fresh(
            "identifiers.email_address=mutations%40example.com",
            b"",
            "GET",
            "/v3/users".to_owned(),
        )
    };

    // Body: every byte position of the body.
    let template = patch();
    for i in 0..template.body.len() {
        let parts = patch();
        let header = parts.header();
        let mut changed = parts.body.clone();
        changed[i] = changed[i].wrapping_add(1);
        let sent = Parts {
            body: changed,
            ..parts
        };
        assert_eq!(
            sent.send(&emu, &header).check(),
            "signature",
            "body byte {i}"
        );
    }
    // Path: a byte of the user id.
    let parts = patch();
    let header = parts.header();
    let index = parts.path.len() - "/attributes".len() - 1;
    let sent = Parts {
        path: flip(&parts.path, index),
        ..parts
    };
    assert_eq!(sent.send(&emu, &header).check(), "signature", "path");
    // Query: every byte of the value.
    let template = list();
    let value_start = template.query.find('=').unwrap() + 1;
    for i in value_start..template.query.len() {
        let parts = list();
        let header = parts.header();
        let sent = Parts {
            query: flip(&parts.query, i),
            ..parts
        };
        let answer = sent.send(&emu, &header);
        assert_eq!(answer.check(), "signature", "query byte {i}");
    }
    // Timestamp: the last digit (still inside the window).
    let parts = patch();
    let header = parts.header();
    let last = (parts.timestamp.as_bytes()[parts.timestamp.len() - 1] - b'0' + 1) % 10;
    let changed = format!("{}{last}", &parts.timestamp[..parts.timestamp.len() - 1]);
    let header = header.replacen(&parts.timestamp, &changed, 1);
    assert_eq!(parts.send(&emu, &header).check(), "signature", "timestamp");
    // Timestamp: the first digit (far outside the window).
    let parts = patch();
    let header = parts.header();
    let header = header.replacen(
        &format!(":{}:", parts.timestamp),
        &format!(":{}:", flip(&parts.timestamp, 0)),
        1,
    );
    assert_eq!(
        parts.send(&emu, &header).check(),
        "timestamp",
        "timestamp first digit"
    );
    // Nonce: one byte.
    let parts = patch();
    let header = parts.header();
    let header = header.replacen(
        &format!(":{}:", parts.nonce),
        &format!(":{}:", flip(&parts.nonce, 0)),
        1,
    );
    assert_eq!(parts.send(&emu, &header).check(), "signature", "nonce");
    // Method.
    let parts = patch();
    let header = parts.header();
    let sent = Parts {
        method: "PUT",
        ..parts
    };
    assert_eq!(sent.send(&emu, &header).check(), "signature", "method");
    // Hash: one hex digit.
    let parts = patch();
    let header = parts.header();
    let header = flip(&header, header.len() - 1);
    assert_eq!(parts.send(&emu, &header).check(), "signature", "hash");

    // The unchanged requests are accepted, and did what they say.
    let parts = patch();
    assert_eq!(parts.send(&emu, &parts.header()).status, 200);
    let parts = list();
    let answer = parts.send(&emu, &parts.header());
    assert_eq!(answer.status, 200);
    let found = answer.json();
    assert_eq!(found["results"][0]["user_id"], user.as_str());
    assert_eq!(found["results"][0]["attributes"]["first_name"], "Ada");
}

#[test]
fn a_replayed_nonce_is_refused() {
    let emu = start();
    let header = common::demo_authorization("GET", "/v3/products", "", b"");
    let first = emu.raw(
        "GET",
        "/v3/products",
        "",
        &[("authorization", &header)],
        b"",
    );
    assert_eq!(first.status, 200);
    let again = emu.raw(
        "GET",
        "/v3/products",
        "",
        &[("authorization", &header)],
        b"",
    );
    assert_eq!(again.check(), "nonce");
    assert!(again.json()["message"].as_str().unwrap().contains("nonce"));
    // A refused (forged) request does not use up its nonce.
    let nonce = fresh_nonce();
    let ts = now_ms().to_string();
    let forged = authorization(
        DEMO_ACCESS_KEY,
        "wrong",
        "GET",
        "/v3/products",
        "",
        b"",
        &ts,
        &nonce,
    );
    let answer = emu.raw(
        "GET",
        "/v3/products",
        "",
        &[("authorization", &forged)],
        b"",
    );
    assert_eq!(answer.check(), "signature");
    let real = authorization(
        DEMO_ACCESS_KEY,
        DEMO_SECRET_KEY,
        "GET",
        "/v3/products",
        "",
        b"",
        &ts,
        &nonce,
    );
    assert_eq!(
        emu.raw("GET", "/v3/products", "", &[("authorization", &real)], b"")
            .status,
        200
    );
}

#[test]
fn timestamps_outside_the_window_are_refused() {
    let emu = start();
    for offset in [-6 * 60_000i64, 6 * 60_000] {
        let ts = now_ms().saturating_add_signed(offset).to_string();
        let header = authorization(
            DEMO_ACCESS_KEY,
            DEMO_SECRET_KEY,
            "GET",
            "/v3/products",
            "",
            b"",
            &ts,
            &fresh_nonce(),
        );
        let answer = emu.raw(
            "GET",
            "/v3/products",
            "",
            &[("authorization", &header)],
            b"",
        );
        assert_eq!(answer.check(), "timestamp", "offset {offset}");
        let message = answer.json()["message"].as_str().unwrap().to_owned();
        assert!(
            message.contains(if offset < 0 { "behind" } else { "ahead of" }),
            "{message}"
        );
    }
    // Four minutes is inside the default window.
    let ts = (now_ms() - 4 * 60_000).to_string();
    let header = authorization(
        DEMO_ACCESS_KEY,
        DEMO_SECRET_KEY,
        "GET",
        "/v3/products",
        "",
        b"",
        &ts,
        &fresh_nonce(),
    );
    assert_eq!(
        emu.raw(
            "GET",
            "/v3/products",
            "",
            &[("authorization", &header)],
            b""
        )
        .status,
        200
    );
    // Not a number.
    let header = authorization(
        DEMO_ACCESS_KEY,
        DEMO_SECRET_KEY,
        "GET",
        "/v3/products",
        "",
        b"",
        "0017",
        &fresh_nonce(),
    );
    assert_eq!(
        emu.raw(
            "GET",
            "/v3/products",
            "",
            &[("authorization", &header)],
            b""
        )
        .check(),
        "timestamp"
    );

    // The window is configurable.
    let narrow = start_with(Config {
        timestamp_window: Duration::from_secs(2),
        ..Config::default()
    });
    let ts = (now_ms() - 10_000).to_string();
    let header = authorization(
        DEMO_ACCESS_KEY,
        DEMO_SECRET_KEY,
        "GET",
        "/v3/products",
        "",
        b"",
        &ts,
        &fresh_nonce(),
    );
    assert_eq!(
        narrow
            .raw(
                "GET",
                "/v3/products",
                "",
                &[("authorization", &header)],
                b""
            )
            .check(),
        "timestamp"
    );
}

#[test]
fn unknown_keys_and_bad_headers_are_refused() {
    let emu = start();
    let ts = now_ms().to_string();
    let unknown = authorization(
        "someone-else",
        DEMO_SECRET_KEY,
        "GET",
        "/v3/products",
        "",
        b"",
        &ts,
        &fresh_nonce(),
    );
    assert_eq!(
        emu.raw(
            "GET",
            "/v3/products",
            "",
            &[("authorization", &unknown)],
            b""
        )
        .check(),
        "access_key"
    );
    assert_eq!(
        emu.raw("GET", "/v3/products", "", &[], b"").check(),
        "authorization_header"
    );
    for bad in [
        "Bearer abc",
        "ZEPHR-HMAC-SHA256 a:b:c",
        "ZEPHR-HMAC-SHA256 a:b:c:d:e",
        "ZEPHR-HMAC-SHA256 :1:n:h",
    ] {
        let answer = emu.raw("GET", "/v3/products", "", &[("authorization", bad)], b"");
        assert_eq!(answer.check(), "authorization_header", "{bad}");
    }
    // The SDK's error for such a 401 carries the message and the hint.
    let answer = emu.raw(
        "GET",
        "/v3/products",
        "",
        &[("authorization", &unknown)],
        b"",
    );
    let response =
        zephr_admin::Response::new(answer.status, answer.headers.clone(), answer.body.clone());
    let error = response.error_for_status().unwrap_err();
    assert_eq!(error.code.as_str(), "authentication_failed");
    assert!(
        error
            .message
            .unwrap()
            .starts_with("access_key check failed")
    );
    assert!(error.request_id.unwrap().starts_with("emu-"));
}

#[test]
fn key_pairs_from_a_key_file_replace_the_demo_pair() {
    let keys =
        zephr_emulator::load_keys(r#"[{"access_key": "team-a", "secret_key": "s3cret"}]"#).unwrap();
    let emu = start_with(Config {
        keys,
        ..Config::default()
    });
    let ts = now_ms().to_string();
    let theirs = authorization(
        "team-a",
        "s3cret",
        "GET",
        "/v3/products",
        "",
        b"",
        &ts,
        &fresh_nonce(),
    );
    assert_eq!(
        emu.raw(
            "GET",
            "/v3/products",
            "",
            &[("authorization", &theirs)],
            b""
        )
        .status,
        200
    );
    assert_eq!(
        emu.signed("GET", "/v3/products", "", b"").check(),
        "access_key"
    );
}

#[test]
fn the_sdk_signs_requests_the_emulator_accepts() {
    use zephr_admin::{BaseUrl, Client, Env, Request};
    let emu = start();
    let client = Client::new(
        zephr_emulator::demo_credentials().unwrap(),
        BaseUrl::parse(&emu.server.base_url()).unwrap(),
    );
    let request =
        Request::get("/v3/users").with_query("identifiers.email_address", "nobody@example.com");
    let prepared = client
        .prepare(&request, &Env::from_system().unwrap())
        .unwrap();
    let (path, query) = prepared
        .url
        .trim_start_matches(&emu.server.base_url())
        .split_once('?')
        .unwrap();
    let auth = prepared.header("authorization").unwrap();
    let answer = emu.raw("GET", path, query, &[("authorization", auth)], b"");
    assert_eq!(answer.status, 200);
    assert_eq!(answer.json(), json!({"results": []}));
}
