//! Property tests of the webhook parser and verifier: arbitrary bytes never
//! panic, and nothing but a JSON object is ever accepted.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    missing_docs
)]

// Under wasm32, `#[test]` is wasm-bindgen-test's: the tests run in Node (scripts/wasm-tests.sh).
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use proptest::prelude::*;
use serde_json::Value;
use zephr_admin::webhook::{WebhookCredentials, WebhookVerifier, parse_event};

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    /// Any bytes: no panic; accepted only when they are a JSON object.
    #[test]
    fn arbitrary_bytes_never_panic_and_only_objects_pass(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        if parse_event(&bytes).is_ok() {
            let value: Value = serde_json::from_slice(&bytes).expect("accepted bodies are JSON");
            prop_assert!(value.is_object());
        }
    }

    /// JSON-looking text (more likely to get past the tokenizer).
    #[test]
    fn json_like_text_only_objects_pass(text in r#"[\{\}\[\]":,0-9a-zA-Z_ .\-]{0,80}"#) {
        if let Ok(event) = parse_event(text.as_bytes()) {
            let value: Value = serde_json::from_str(&text).expect("accepted bodies are JSON");
            prop_assert!(value.is_object());
            prop_assert_eq!(event.event_type.as_str(), value["type"].as_str().unwrap());
        }
    }

    /// Every JSON value that is not an object is refused, whatever it holds.
    #[test]
    fn non_objects_are_refused(value in non_object_json()) {
        let text = value.to_string();
        prop_assert!(parse_event(text.as_bytes()).is_err());
    }

    /// Arbitrary Authorization headers never panic and never pass unless they
    /// are exactly the configured credentials.
    #[test]
    fn arbitrary_headers_never_pass(header in ".{0,64}", raw in proptest::collection::vec(any::<u8>(), 0..48)) {
        let bearer = WebhookCredentials::bearer("the-token").unwrap();
        let basic = WebhookCredentials::basic("user", "pass").unwrap();
        for creds in [bearer, basic] {
            let expected = creds.authorization();
            let verifier = WebhookVerifier::new(creds);
            for candidate in [header.clone(), String::from_utf8_lossy(&raw).into_owned()] {
                let passed = verifier.check_authorization(Some(&candidate)).is_ok();
                let canonical = candidate.trim().split_once(' ').map(|(s, v)| (s.to_ascii_lowercase(), v.trim_start().to_owned()));
                let wanted = expected.split_once(' ').map(|(s, v)| (s.to_ascii_lowercase(), v.to_owned()));
                prop_assert_eq!(passed, canonical == wanted, "{}", candidate);
            }
        }
    }
}

proptest! {
    /// Objects: accepted exactly when `type` is a non-empty string, `time` an
    /// integer, and `tenantId`/`subTenantId`/`webhook` strings or absent.
    #[test]
    fn objects_pass_exactly_when_the_envelope_holds(
        event_type in prop_oneof![Just(Value::Null), "[A-Z_]{0,12}".prop_map(Value::String), any::<i64>().prop_map(Value::from)],
        time in prop_oneof![Just(Value::Null), any::<i64>().prop_map(Value::from), any::<f64>().prop_map(|f| serde_json::json!(f)), ".{0,5}".prop_map(Value::String)],
        label in prop_oneof![Just(None), ".{0,8}".prop_map(|s| Some(Value::String(s))), any::<bool>().prop_map(|b| Some(Value::Bool(b)))],
        details in non_object_json(),
    ) {
        let mut object = serde_json::Map::new();
        if !event_type.is_null() { object.insert("type".into(), event_type.clone()); }
        if !time.is_null() { object.insert("time".into(), time.clone()); }
        if let Some(label) = &label { object.insert("webhook".into(), label.clone()); }
        object.insert("details".into(), details);
        let text = Value::Object(object).to_string();
        let valid = event_type.as_str().is_some_and(|t| !t.is_empty())
            && time.as_i64().is_some()
            && label.as_ref().is_none_or(Value::is_string);
        prop_assert_eq!(parse_event(text.as_bytes()).is_ok(), valid, "{}", text);
    }
}

fn non_object_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        ".{0,20}".prop_map(Value::String),
    ];
    prop_oneof![
        leaf.clone(),
        proptest::collection::vec(leaf, 0..5).prop_map(Value::Array),
    ]
}
