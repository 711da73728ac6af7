//! The example against a real HTTP server on 127.0.0.1 that checks every
//! signature independently, pages through accounts and fails once with 503.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use serde_json::json;
use sha2::{Digest, Sha256};
use zephr_admin::retry::RetryPolicy;
use zephr_admin::{BaseUrl, Client, Credentials};
use zephr_example_ureq::zephr_admin_client::{BlockingClient, Config};
use zephr_example_ureq::{all_accounts, client, memberships};

const SECRET: &str = "loopback-secret";

struct Seen {
    requests: Vec<String>,
    bad_signatures: usize,
    failed_once: bool,
}

/// Method, request target, lower-cased headers and body of one request.
type RawRequest = (String, String, Vec<(String, String)>, Vec<u8>);

/// Reads one HTTP/1.1 request: request line, headers, body.
fn read_request(stream: &mut std::net::TcpStream) -> Option<RawRequest> {
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let (method, target) = (parts.next()?.to_owned(), parts.next()?.to_owned());
    let mut headers = Vec::new();
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).ok()?;
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        let (k, v) = header.split_once(':')?;
        headers.push((k.trim().to_ascii_lowercase(), v.trim().to_owned()));
    }
    let length: usize = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .map_or(0, |(_, v)| v.parse().unwrap_or(0));
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some((method, target, headers, body))
}

fn signature_ok(method: &str, target: &str, headers: &[(String, String)], body: &[u8]) -> bool {
    let Some((_, auth)) = headers.iter().find(|(k, _)| k == "authorization") else {
        return false;
    };
    let Some(fields) = auth.strip_prefix("ZEPHR-HMAC-SHA256 ") else {
        return false;
    };
    let parts: Vec<&str> = fields.split(':').collect();
    let [_, timestamp, nonce, hash] = parts[..] else {
        return false;
    };
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let digest = Sha256::new()
        .chain_update(SECRET)
        .chain_update(body)
        .chain_update(path)
        .chain_update(query)
        .chain_update(method)
        .chain_update(timestamp)
        .chain_update(nonce)
        .finalize();
    hash == digest
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<String>()
}

fn serve(listener: TcpListener, seen: Arc<Mutex<Seen>>) {
    for stream in listener.incoming() {
        let Ok(mut stream) = stream else { continue };
        let Some((method, target, headers, body)) = read_request(&mut stream) else {
            continue;
        };
        let mut state = seen.lock().unwrap();
        state.requests.push(format!("{method} {target}"));
        let (status, reply) = if !signature_ok(&method, &target, &headers, &body) {
            state.bad_signatures += 1;
            (401, json!({"message": "bad signature"}))
        } else if target.starts_with("/v3/accounts") {
            if !state.failed_once {
                state.failed_once = true;
                (503, json!({"message": "try again"}))
            } else {
                let page: usize = target
                    .split("page=")
                    .nth(1)
                    .and_then(|p| p.split('&').next()?.parse().ok())
                    .unwrap_or(1);
                let all: Vec<_> = (1..=5).map(|i| json!({"account_id": format!("acc-{i}"), "name": format!("Account {i}")})).collect();
                let chunk: Vec<_> = all.iter().skip((page - 1) * 2).take(2).cloned().collect();
                (200, json!({"results": chunk, "total": 5}))
            }
        } else if target.starts_with("/v3/users/u%2F1/accounts") {
            (
                200,
                json!({"results": [{"user_id": "u/1", "account_id": "acc-1", "user_type": "admin"}]}),
            )
        } else {
            (404, json!({"message": "no such route"}))
        };
        drop(state);
        let text = reply.to_string();
        let head = format!(
            "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nx-request-id: req-{status}\r\nretry-after: 0\r\nconnection: close\r\n\r\n",
            text.len()
        );
        let _ = stream.write_all(head.as_bytes());
        let _ = stream.write_all(text.as_bytes());
    }
}

#[test]
fn the_example_talks_to_a_loopback_server() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Seen {
        requests: Vec::new(),
        bad_signatures: 0,
        failed_once: false,
    }));
    std::thread::spawn({
        let seen = Arc::clone(&seen);
        move || serve(listener, seen)
    });
    let client = client(
        Credentials::new("loopback-access", SECRET).unwrap(),
        BaseUrl::parse(&base).unwrap(),
    )
    .unwrap();

    let memberships = memberships(&client, "u/1").unwrap();
    assert_eq!(memberships[0].account_id.as_deref(), Some("acc-1"));
    assert_eq!(memberships[0].extra["user_type"], "admin");

    let accounts = all_accounts(&client, 2).unwrap();
    let ids: Vec<&str> = accounts
        .iter()
        .map(|a| a.account_id.as_deref().unwrap())
        .collect();
    assert_eq!(ids, ["acc-1", "acc-2", "acc-3", "acc-4", "acc-5"]);

    let state = seen.lock().unwrap();
    assert_eq!(state.bad_signatures, 0);
    assert_eq!(
        state.requests,
        [
            "GET /v3/users/u%2F1/accounts",
            "GET /v3/accounts?rpp=2",
            "GET /v3/accounts?rpp=2",
            "GET /v3/accounts?rpp=2&page=2",
            "GET /v3/accounts?rpp=2&page=3",
        ]
    );
}

#[test]
fn errors_arrive_typed() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Seen {
        requests: Vec::new(),
        bad_signatures: 0,
        failed_once: true,
    }));
    std::thread::spawn({
        let seen = Arc::clone(&seen);
        move || serve(listener, seen)
    });
    let wrong_key = BlockingClient::new(
        Client::new(
            Credentials::new("loopback-access", "wrong").unwrap(),
            BaseUrl::parse(&base).unwrap(),
        )
        .with_retry_policy(RetryPolicy::never()),
        Config::default(),
    )
    .unwrap();
    let error = memberships(&wrong_key, "u/1").unwrap_err();
    let Some(error) = error.api() else {
        panic!("expected an API error, got {error:?}");
    };
    assert_eq!(error.code.as_str(), "authentication_failed");
    assert_eq!(error.request_id.as_deref(), Some("req-401"));
    assert_eq!(error.message.as_deref(), Some("bad signature"));

    // Nothing listens here any more: a transport error after the retries.
    let closed = TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let client = BlockingClient::new(
        Client::new(
            Credentials::new("a", "b").unwrap(),
            BaseUrl::parse(&dead).unwrap(),
        )
        .with_retry_policy(RetryPolicy::default().with_base_delay_ms(1)),
        Config::default(),
    )
    .unwrap();
    assert_eq!(
        memberships(&client, "x").unwrap_err().code(),
        "connect_failed"
    );
}
