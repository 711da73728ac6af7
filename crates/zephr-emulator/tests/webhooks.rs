//! Webhook deliveries: the emulator calls webhooks created through the Admin
//! API on its own state changes, with their method and credentials; a real
//! receiver on 127.0.0.1 verifies them with the SDK. Retries, listing and
//! injected delivery faults.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{Emu, now_ms, start_with};
use serde_json::{Value, json};
use zephr_admin::webhook::{EventType, WebhookCredentials, WebhookError, WebhookVerifier};
use zephr_emulator::{Config, Delivery, DeliveryConfig, DeliveryFault};

/// What the receiver saw: method, the event type or the refusal.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    result: Result<(EventType, String, Value), WebhookError>,
}

/// A blocking receiver: verifies every request with `verifier`, answers 200
/// when it passes and 401 when not; the first `fail_first` requests get 500.
struct Receiver {
    url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

fn receiver(verifier: WebhookVerifier, fail_first: usize) -> Receiver {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hooks/zephr", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    std::thread::spawn(move || {
        let mut served = 0;
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            let method = line.split(' ').next().unwrap_or("").to_owned();
            let (mut length, mut authorization) = (0, None);
            loop {
                let mut header = String::new();
                reader.read_line(&mut header).unwrap();
                let header = header.trim_end();
                if header.is_empty() {
                    break;
                }
                let (name, value) = header.split_once(':').unwrap();
                match name.to_ascii_lowercase().as_str() {
                    "content-length" => length = value.trim().parse().unwrap(),
                    "authorization" => authorization = Some(value.trim().to_owned()),
                    _ => {}
                }
            }
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            served += 1;
            let status = if served <= fail_first {
                500
            } else {
                let result = verifier
                    .verify(authorization.as_deref(), &body, now_ms() as i64)
                    .map(|e| {
                        (
                            e.event_type.clone(),
                            e.dedupe_key.clone(),
                            e.raw_details.clone(),
                        )
                    });
                let status = if result.is_ok() { 200 } else { 401 };
                log.lock().unwrap().push(Seen { method, result });
                status
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status} X\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
            );
        }
    });
    Receiver { url, seen }
}

fn emulator(retry_delays_ms: Vec<u64>) -> Emu {
    start_with(Config {
        webhook_delivery: DeliveryConfig { retry_delays_ms },
        ..Config::default()
    })
}

fn create_webhook(emu: &Emu, body: Value) -> String {
    let answer = emu.json("POST", "/v3/webhooks", "", &body);
    assert_eq!(
        answer.status,
        201,
        "{}",
        String::from_utf8_lossy(&answer.body)
    );
    let created = answer.json();
    assert!(
        !answer.body.windows(6).any(|w| w == b"secret"),
        "credentials echoed"
    );
    created["webhook_id"].as_str().unwrap().to_owned()
}

/// Waits until `count` deliveries exist and none is pending (a deadline, not a timing check).
fn settled(emu: &Emu, count: usize) -> Vec<Delivery> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let deliveries = emu.server.webhook_deliveries();
        if deliveries.len() >= count && deliveries.iter().all(|d| d.state != "pending") {
            return deliveries;
        }
        assert!(
            Instant::now() < deadline,
            "deliveries did not settle: {deliveries:#?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn user(emu: &Emu, email: &str) -> String {
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

#[test]
fn state_changes_are_delivered_and_verified() {
    let credentials = WebhookCredentials::bearer("secret-token-1").unwrap();
    let rx = receiver(
        WebhookVerifier::new(credentials).with_tolerance_ms(60_000),
        0,
    );
    let emu = emulator(vec![10, 10, 10]);
    create_webhook(
        &emu,
        json!({"label": "crm", "triggers": [], "method": "POST", "target": rx.url,
               "credentials": {"type": "bearer", "token": "secret-token-1"}}),
    );
    let id = user(&emu, "ada@example.com");
    let path = format!("/v3/users/{id}/attributes");
    assert_eq!(
        emu.json("PATCH", &path, "", &json!({"plan": "gold"}))
            .status,
        200
    );
    let grant = emu.json(
        "POST",
        &format!("/v3/users/{id}/grants"),
        "",
        &json!({"entitlement_type": "bundle", "entitlement_id": "b-1"}),
    );
    assert!(
        grant.status < 300,
        "{}",
        String::from_utf8_lossy(&grant.body)
    );
    let account = emu.json(
        "POST",
        "/v3/accounts",
        "",
        &json!({"name": "Acme", "number_of_seats": 5}),
    );
    let account = account.json()["account_id"].as_str().unwrap().to_owned();
    let member = format!("/v3/accounts/{account}/users/{id}");
    assert!(emu.signed("PUT", &member, "", b"").status < 300);
    assert!(emu.signed("DELETE", &member, "", b"").status < 300);
    let session = emu.json(
        "POST",
        "/v3/sessions",
        "",
        &json!({"identifiers": {"email_address": "ada@example.com"}, "validators": {"password": "x"}}),
    );
    assert!(session.status < 300);
    assert!(
        emu.signed("DELETE", &format!("/v3/users/{id}"), "", b"")
            .status
            < 300
    );

    let deliveries = settled(&emu, 7);
    assert!(
        deliveries.iter().all(|d| d.state == "delivered"),
        "{deliveries:#?}"
    );
    let seen = rx.seen.lock().unwrap().clone();
    // Deliveries of different state changes run concurrently: no order across them.
    let mut types: Vec<String> = seen
        .iter()
        .map(|s| s.result.as_ref().expect("verified").0.to_string())
        .collect();
    types.sort();
    assert_eq!(
        types,
        [
            "ADD_USER_TO_ACCOUNT",
            "CREATE_SESSION",
            "CREATE_USER",
            "DELETE_USER",
            "GRANT",
            "REMOVE_USER_FROM_ACCOUNT",
            "UPDATE_USER",
        ]
    );
    assert!(seen.iter().all(|s| s.method == "POST"));
    let details = |t: EventType| {
        seen.iter()
            .filter_map(|s| s.result.as_ref().ok())
            .find(|r| r.0 == t)
            .map(|r| r.2.clone())
            .unwrap()
    };
    assert_eq!(
        details(EventType::CreateUser)["identifiers"]["email_address"],
        "ada@example.com"
    );
    assert_eq!(details(EventType::UpdateUser)["attributes"]["plan"], "gold");
    assert_eq!(details(EventType::Grant)["user_id"], id.as_str());
    assert_eq!(
        details(EventType::AddToAccount)["account_id"],
        account.as_str()
    );
    assert_eq!(details(EventType::DeleteUser)["user_id"], id.as_str());
    assert_eq!(
        details(EventType::CreateSession)["identifiers"]["email_address"],
        "ada@example.com"
    );
}

#[test]
fn basic_credentials_method_and_triggers_are_honoured() {
    let credentials = WebhookCredentials::basic("zephr", "pa55:word").unwrap();
    let rx = receiver(WebhookVerifier::new(credentials), 0);
    let emu = emulator(vec![10]);
    create_webhook(
        &emu,
        json!({"label": "grants only", "triggers": ["GRANT"], "method": "PUT", "target": rx.url,
               "credentials": {"type": "basic", "username": "zephr", "password": "pa55:word"}}),
    );
    let id = user(&emu, "grace@example.com");
    emu.json(
        "POST",
        &format!("/v3/users/{id}/grants"),
        "",
        &json!({"entitlement_type": "bundle", "entitlement_id": "b-2"}),
    );
    let deliveries = settled(&emu, 1);
    assert_eq!(
        deliveries.len(),
        1,
        "the user creation is not a GRANT: {deliveries:#?}"
    );
    assert_eq!(deliveries[0].method, "PUT");
    let seen = rx.seen.lock().unwrap().clone();
    assert_eq!(seen[0].method, "PUT");
    assert_eq!(seen[0].result.as_ref().unwrap().0, EventType::Grant);
    // The listing shows the credentials' kind, never the password.
    let listed = emu.signed("GET", "/v3/webhooks", "", b"");
    let text = String::from_utf8_lossy(&listed.body);
    assert!(
        text.contains("\"basic\"") && !text.contains("pa55"),
        "{text}"
    );
}

#[test]
fn failed_attempts_are_retried_then_given_up() {
    let credentials = WebhookCredentials::bearer("tok").unwrap();
    let flaky = receiver(WebhookVerifier::new(credentials), 2);
    let emu = emulator(vec![10, 10, 10]);
    create_webhook(
        &emu,
        json!({"label": "flaky", "target": flaky.url, "credentials": {"type": "bearer", "token": "tok"}}),
    );
    // A target nobody listens on: every attempt fails.
    let closed = TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = format!("http://{}/", closed.local_addr().unwrap());
    drop(closed);
    create_webhook(&emu, json!({"label": "dead", "target": dead}));
    user(&emu, "retry@example.com");
    let deliveries = settled(&emu, 2);
    let flaky_delivery = deliveries.iter().find(|d| d.target == flaky.url).unwrap();
    assert_eq!(flaky_delivery.state, "delivered");
    let statuses: Vec<Option<u16>> = flaky_delivery.attempts.iter().map(|a| a.status).collect();
    assert_eq!(statuses, [Some(500), Some(500), Some(200)]);
    let dead_delivery = deliveries.iter().find(|d| d.target == dead).unwrap();
    assert_eq!(dead_delivery.state, "failed");
    assert_eq!(
        dead_delivery.attempts.len(),
        4,
        "one attempt and three retries"
    );
    assert!(
        dead_delivery
            .attempts
            .iter()
            .all(|a| a.status.is_none() && a.error.is_some())
    );
}

#[test]
fn injected_faults_reach_the_receiver_as_typed_refusals() {
    let credentials = WebhookCredentials::bearer("tok-2").unwrap();
    let rx = receiver(
        WebhookVerifier::new(credentials).with_tolerance_ms(60_000),
        0,
    );
    let emu = emulator(vec![]);
    create_webhook(
        &emu,
        json!({"label": "f", "target": rx.url, "credentials": {"type": "bearer", "token": "tok-2"}}),
    );
    emu.server
        .inject_delivery_fault(DeliveryFault::WrongCredentials, 1);
    emu.server
        .inject_delivery_fault(DeliveryFault::NoCredentials, 1);
    emu.server
        .inject_delivery_fault(DeliveryFault::Stale(10 * 60_000), 1);
    emu.server
        .inject_delivery_fault(DeliveryFault::Duplicate, 1);
    // One state change at a time, so the receiver sees them in order.
    let mut deliveries = Vec::new();
    for (n, total) in [1, 2, 3, 5].into_iter().enumerate() {
        user(&emu, &format!("fault{n}@example.com"));
        deliveries = settled(&emu, total);
    }
    let seen = rx.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 5);
    assert_eq!(
        seen[0].result.as_ref().unwrap_err(),
        &WebhookError::WrongCredentials
    );
    assert_eq!(
        seen[1].result.as_ref().unwrap_err(),
        &WebhookError::MissingAuthorization
    );
    assert!(matches!(
        seen[2].result,
        Err(WebhookError::StaleEvent { .. })
    ));
    let (a, b) = (
        seen[3].result.as_ref().unwrap(),
        seen[4].result.as_ref().unwrap(),
    );
    assert_eq!(a.1, b.1, "a redelivery has the same dedupe key");
    assert_eq!(deliveries.iter().filter(|d| d.state == "failed").count(), 3);
}

#[test]
fn control_endpoints_list_and_inject() {
    let emu = emulator(vec![]);
    let listed = emu.raw("GET", "/__emulator/webhooks/deliveries", "", &[], b"");
    assert_eq!(listed.status, 200);
    assert_eq!(listed.json(), json!({"results": []}));
    assert_eq!(
        emu.raw(
            "POST",
            "/__emulator/webhooks/faults",
            "fault=drop&times=2",
            &[],
            b""
        )
        .status,
        204
    );
    assert_eq!(
        emu.raw(
            "POST",
            "/__emulator/webhooks/faults",
            "fault=nonsense",
            &[],
            b""
        )
        .status,
        400
    );
    let missing = emu.signed("GET", "/v3/webhooks/nope", "", b"");
    assert_eq!(missing.status, 404);
}
