//! `zephr call` and `zephr import` against a loopback server that redirects:
//! the redirect is not followed, the body goes nowhere else, and the call
//! fails with the status and the `Location`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};

/// A server on 127.0.0.1 that answers every request with one fixed response
/// and keeps each request it read (head and body).
struct Server {
    url: String,
    requests: Arc<Mutex<Vec<String>>>,
}

impl Server {
    fn start(status_line: &'static str, headers: String, body: &'static str) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&requests);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let request = read_request(&stream);
                seen.lock().unwrap().push(request);
                let reply = format!(
                    "HTTP/1.1 {status_line}\r\n{headers}content-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = (&stream).write_all(reply.as_bytes());
            }
        });
        Server { url, requests }
    }

    fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }
}

fn read_request(stream: &TcpStream) -> String {
    let mut reader = BufReader::new(stream);
    let mut head = String::new();
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().unwrap_or(0);
        }
        head.push_str(&line);
    }
    let mut body = vec![0; length];
    let _ = reader.read_exact(&mut body);
    head + "\r\n" + &String::from_utf8_lossy(&body)
}

/// Runs `zephr <args>` against `base_url` with throwaway keys.
fn zephr(base_url: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_zephr"))
        .args(args)
        .env_remove("ZEPHR_TENANT")
        .env("ZEPHR_BASE_URL", base_url)
        .env("ZEPHR_ACCESS_KEY", "ak")
        .env("ZEPHR_SECRET_KEY", "sk")
        .output()
        .expect("zephr runs")
}

const BODY: &str = r#"{"identifiers":{"email_address":"ada@example.com"}}"#;

#[test]
fn redirects_are_api_errors_and_are_not_followed() {
    // Where the redirects point: it would answer 200, as an attacker's host does.
    let elsewhere = Server::start("200 OK", String::new(), r#"{"user_id":"stolen"}"#);
    for status in [
        "302 Found",
        "307 Temporary Redirect",
        "308 Permanent Redirect",
    ] {
        let location = format!("{}/v3/users", elsewhere.url);
        let server = Server::start(status, format!("location: {location}\r\n"), "");
        for args in [
            &["call", "createUser", "--body", BODY][..],
            &["call", "listAccounts", "--raw"][..],
        ] {
            let output = zephr(&server.url, args);
            let stderr = String::from_utf8_lossy(&output.stderr);
            let code = &status[..3];
            assert_eq!(output.status.code(), Some(1), "{status} {args:?}: {stderr}");
            assert!(stderr.contains(&format!("HTTP {code}")), "{stderr}");
            assert!(stderr.contains("redirect not followed"), "{stderr}");
            assert!(stderr.contains(&location), "{stderr}");
            assert!(
                !String::from_utf8_lossy(&output.stdout).contains("stolen"),
                "the redirected answer was printed"
            );
        }
        // Sent once each (3xx is not retried), and the body reached only this server.
        let seen = server.requests();
        assert_eq!(seen.len(), 2, "{seen:?}");
        assert!(seen[0].starts_with("POST /v3/users ") && seen[0].ends_with(BODY));
    }
    assert_eq!(elsewhere.requests(), Vec::<String>::new());
}

#[test]
fn an_import_records_a_redirect_with_its_status_and_sends_it_once() {
    let server = Server::start(
        "307 Temporary Redirect",
        "location: /elsewhere\r\nx-request-id: req-307\r\n".into(),
        "",
    );
    let dir = std::env::temp_dir().join(format!("zephr-redirect-import-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let input = dir.join("in.ndjson");
    std::fs::write(&input, format!("{{\"body\": {BODY}}}\n")).unwrap();
    let output = zephr(
        &server.url,
        &["import", "createUser", "--input", input.to_str().unwrap()],
    );
    assert_eq!(output.status.code(), Some(1));
    let failures = std::fs::read_to_string(dir.join("in.ndjson.failures.ndjson")).unwrap();
    let record: serde_json::Value = serde_json::from_str(failures.trim()).unwrap();
    assert_eq!(record["code"], "redirect");
    assert_eq!(record["status"], 307);
    assert_eq!(record["request_id"], "req-307");
    assert_eq!(
        server.requests().len(),
        1,
        "a redirect is neither followed nor retried"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
