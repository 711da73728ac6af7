//! Injected faults: by header, by queue and by rate.

#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use std::time::{Duration, Instant};

use common::{start, start_with};
use zephr_emulator::{Config, FAULT_HEADER, Fault, FaultConfig};

#[test]
fn faults_by_header() {
    let emu = start();
    let get =
        |fault: &str| emu.signed_with("GET", "/v3/products", "", b"", &[(FAULT_HEADER, fault)]);

    let limited = get("429");
    assert_eq!(limited.status, 429);
    assert_eq!(limited.header("retry-after"), Some("1"));
    assert_eq!(limited.json()["error"], "rate_limited");
    let limited = get("429, retry-after=7");
    assert_eq!(limited.header("retry-after"), Some("7"));

    let unavailable = get("503");
    assert_eq!(unavailable.status, 503);
    let error =
        zephr_admin::Response::new(503, unavailable.headers.clone(), unavailable.body.clone())
            .error_for_status()
            .unwrap_err();
    assert_eq!(error.code.as_str(), "server_error");

    let malformed = get("malformed");
    assert_eq!(malformed.status, 200);
    assert!(serde_json::from_slice::<serde_json::Value>(&malformed.body).is_err());
    let decoded: Result<serde_json::Value, _> =
        zephr_admin::Response::new(200, malformed.headers.clone(), malformed.body.clone()).decode();
    assert_eq!(decoded.unwrap_err().code(), "decode_error");

    let started = Instant::now();
    let slow = get("slow=300");
    assert_eq!(slow.status, 200);
    assert!(started.elapsed() >= Duration::from_millis(300));

    assert_eq!(get("teapot").status, 400);
    // Faults only reach signed requests.
    let unsigned = emu.raw("GET", "/v3/products", "", &[(FAULT_HEADER, "503")], b"");
    assert_eq!(unsigned.check(), "authorization_header");
    // Without the header the next request is normal.
    assert_eq!(emu.signed("GET", "/v3/products", "", b"").status, 200);
}

#[test]
fn queued_faults_hit_the_next_requests_only() {
    let emu = start();
    emu.server.inject(
        Fault::Unavailable {
            retry_after_secs: 0,
        },
        2,
    );
    emu.server.inject(
        Fault::RateLimited {
            retry_after_secs: 3,
        },
        1,
    );
    let statuses: Vec<u16> = (0..4)
        .map(|_| emu.signed("GET", "/v3/products", "", b"").status)
        .collect();
    assert_eq!(statuses, vec![503, 503, 429, 200]);
}

#[test]
fn faults_by_rate() {
    let always = start_with(Config {
        faults: FaultConfig {
            rate_503: 1.0,
            retry_after_secs: 0,
            ..FaultConfig::default()
        },
        ..Config::default()
    });
    for _ in 0..5 {
        let answer = always.signed("GET", "/v3/products", "", b"");
        assert_eq!(
            (answer.status, answer.header("retry-after")),
            (503, Some("0"))
        );
    }
    let half = start_with(Config {
        faults: FaultConfig {
            rate_429: 0.5,
            ..FaultConfig::default()
        },
        ..Config::default()
    });
    let limited = (0..200)
        .filter(|_| half.signed("GET", "/v3/products", "", b"").status == 429)
        .count();
    assert!((40..=160).contains(&limited), "{limited} of 200");
    let slow = start_with(Config {
        faults: FaultConfig {
            delay: Duration::from_millis(150),
            ..FaultConfig::default()
        },
        ..Config::default()
    });
    let started = Instant::now();
    assert_eq!(slow.signed("GET", "/v3/products", "", b"").status, 200);
    assert!(started.elapsed() >= Duration::from_millis(150));
}

/// The SDK's retry policy, driven by injected faults: a GET is retried after
/// a 503 and a 429 (honouring Retry-After: 0) and then succeeds.
#[test]
fn faults_drive_the_core_retry_policy() {
    use zephr_admin::Response;
    use zephr_admin::retry::{Outcome, RetryDecision, RetryPolicy};
    let emu = start();
    emu.server.inject(
        Fault::Unavailable {
            retry_after_secs: 0,
        },
        1,
    );
    emu.server.inject(
        Fault::RateLimited {
            retry_after_secs: 0,
        },
        1,
    );
    let policy = RetryPolicy::default();
    let mut retries = 0;
    let final_status = loop {
        let answer = emu.signed("GET", "/v3/products", "", b"");
        let response = Response::new(answer.status, answer.headers, answer.body);
        if response.is_success() {
            break response.status;
        }
        match policy.decide("GET", &Outcome::from_response(&response), retries, 0.5, 0) {
            RetryDecision::RetryAfter(ms) => {
                assert_eq!(ms, 0);
                retries += 1;
            }
            RetryDecision::Stop => break response.status,
        }
    };
    assert_eq!((final_status, retries), (200, 2));
    // With three failures the policy (two retries) gives up on the 503.
    emu.server.inject(
        Fault::Unavailable {
            retry_after_secs: 0,
        },
        3,
    );
    let mut retries = 0;
    let final_status = loop {
        let answer = emu.signed("GET", "/v3/products", "", b"");
        let response = Response::new(answer.status, answer.headers, answer.body);
        match policy.decide("GET", &Outcome::from_response(&response), retries, 0.5, 0) {
            RetryDecision::RetryAfter(_) if !response.is_success() => retries += 1,
            _ => break response.status,
        }
    };
    assert_eq!((final_status, retries), (503, 2));
}
