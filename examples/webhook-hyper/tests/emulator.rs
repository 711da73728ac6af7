//! The hyper receiver gets the emulator's deliveries and verifies them; a
//! delivery with wrong credentials is refused and retried by the emulator.

#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use zephr_admin::webhook::{EventType, WebhookCredentials, WebhookError, WebhookVerifier};
use zephr_admin::{BaseUrl, Body, Client, Env, Request};
use zephr_emulator::{BackgroundEmulator, Config, DeliveryConfig, DeliveryFault};
use zephr_example_webhook_hyper::{Outcome, serve};

fn send(agent: &ureq::Agent, client: &Client, request: &Request) -> (u16, Value) {
    let prepared = client
        .prepare(request, &Env::from_system().unwrap())
        .unwrap();
    let mut builder = ureq::http::Request::builder()
        .method(prepared.method.as_str())
        .uri(&prepared.url);
    for (name, value) in &prepared.headers {
        builder = builder.header(name, value);
    }
    let mut answer = agent
        .run(builder.body(prepared.body.clone()).unwrap())
        .unwrap();
    let status = answer.status().as_u16();
    let body = answer.body_mut().read_to_vec().unwrap();
    (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
}

#[test]
fn the_hyper_receiver_verifies_the_emulators_deliveries() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let seen: Arc<Mutex<Vec<Outcome>>> = Arc::default();
    let log = Arc::clone(&seen);
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let target = format!("http://{}/zephr", listener.local_addr().unwrap());
    let verifier = WebhookVerifier::new(WebhookCredentials::basic("zephr", "s3cret").unwrap())
        .with_tolerance_ms(60_000);
    runtime.spawn(serve(listener, verifier, move |outcome| {
        log.lock().unwrap().push(outcome);
    }));

    let emu = BackgroundEmulator::spawn(Config {
        webhook_delivery: DeliveryConfig {
            retry_delays_ms: vec![10],
        },
        ..Config::default()
    })
    .unwrap();
    let client = Client::new(
        zephr_emulator::demo_credentials().unwrap(),
        BaseUrl::parse(&emu.base_url()).unwrap(),
    );
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let create = Request::post("/v3/webhooks").with_body(
        Body::json(&json!({"label": "hyper", "triggers": ["CREATE_USER"], "method": "POST", "target": target,
                           "credentials": {"type": "basic", "username": "zephr", "password": "s3cret"}}))
        .unwrap(),
    );
    assert_eq!(send(&agent, &client, &create).0, 201);
    emu.inject_delivery_fault(DeliveryFault::WrongCredentials, 1);
    for email in ["refused@example.com", "kept@example.com"] {
        let user = Request::post("/v3/users")
            .with_body(Body::json(&json!({"identifiers": {"email_address": email}})).unwrap());
        assert_eq!(send(&agent, &client, &user).0, 201);
    }
    let deadline = Instant::now() + Duration::from_secs(20);
    while seen.lock().unwrap().len() < 3 {
        assert!(
            Instant::now() < deadline,
            "deliveries missing: {:?}",
            seen.lock().unwrap()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let seen = seen.lock().unwrap();
    let refused = seen
        .iter()
        .filter(|o| matches!(o, Err(WebhookError::WrongCredentials)))
        .count();
    assert_eq!(
        refused, 2,
        "the faulty delivery and its one retry: {seen:?}"
    );
    let verified: Vec<_> = seen.iter().filter_map(|o| o.as_ref().ok()).collect();
    assert_eq!(verified.len(), 1);
    assert_eq!(verified[0].event_type, EventType::CreateUser);
    assert_eq!(
        verified[0].user().unwrap().identifiers["email_address"],
        "kept@example.com"
    );
}
