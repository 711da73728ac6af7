//! `spec/webhooks.json` and the webhook module agree: every documented event
//! type is a known `EventType` and back, every fact carries a SEEN or INFERRED
//! tag, and the documented `CREATE_USER` payload parses into typed details.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

// Under wasm32, `#[test]` is wasm-bindgen-test's: the tests run in Node (scripts/wasm-tests.sh).
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use std::collections::BTreeSet;

use serde_json::{Value, json};
use zephr_admin::webhook::{Details, EventType, parse_event};

fn facts() -> Value {
    serde_json::from_str(include_str!("../../../spec/webhooks.json")).unwrap()
}

#[test]
fn event_types_match_the_core() {
    let facts = facts();
    let listed: BTreeSet<String> = facts["event_types"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["type"].as_str().unwrap().to_owned())
        .collect();
    let known: BTreeSet<String> = EventType::known().map(|t| t.as_str().to_owned()).collect();
    assert_eq!(listed, known);
    for entry in facts["event_types"].as_array().unwrap() {
        for key in ["trigger_status", "type_status"] {
            let tag = entry[key].as_str().unwrap();
            assert!(tag == "SEEN" || tag == "INFERRED", "{entry}");
        }
    }
}

#[test]
fn every_fact_is_tagged() {
    fn walk(value: &Value, path: &str, out: &mut Vec<String>) {
        if let Value::Object(map) = value {
            if let Some(Value::String(status)) = map.get("status")
                && !(status.starts_with("SEEN") || status.starts_with("INFERRED"))
            {
                out.push(format!("{path}: {status}"));
            }
            for (key, child) in map {
                walk(child, &format!("{path}.{key}"), out);
            }
        } else if let Value::Array(items) = value {
            for (i, child) in items.iter().enumerate() {
                walk(child, &format!("{path}[{i}]"), out);
            }
        }
    }
    let facts = facts();
    let mut bad = Vec::new();
    walk(&facts, "$", &mut bad);
    assert!(bad.is_empty(), "{bad:?}");
    for key in ["signing", "credentials", "methods", "kinds", "envelope"] {
        assert!(facts[key]["status"].is_string(), "{key} has no status");
    }
}

#[test]
fn the_documented_payload_parses_into_typed_details() {
    let facts = facts();
    let mut envelope = facts["envelope"]["example"].clone();
    let members: serde_json::Map<String, Value> = facts["details"]["CREATE_USER"]["members"]
        .as_object()
        .unwrap()
        .keys()
        .map(|k| {
            let sample = match k.as_str() {
                "identifiers" => json!({"email_address": "gwen@zephr.com"}),
                "attributes" => json!({"first-name": "Gwen"}),
                "email_verified" => json!(false),
                other => json!(format!("<{other}>")),
            };
            (k.clone(), sample)
        })
        .collect();
    envelope["details"] = Value::Object(members);
    let event = parse_event(envelope.to_string().as_bytes()).unwrap();
    assert_eq!(event.event_type, EventType::CreateUser);
    let Details::User(user) = &event.details else {
        panic!("not typed: {:?}", event.details)
    };
    assert_eq!(user.identifiers["email_address"], "gwen@zephr.com");
    assert_eq!(user.email_verified, Some(false));
    assert_eq!(
        user.registration_state.as_deref(),
        Some("<registration_state>")
    );
    assert_eq!(
        facts["methods"]["values"],
        json!(["GET", "POST", "PUT", "DELETE"])
    );
}
