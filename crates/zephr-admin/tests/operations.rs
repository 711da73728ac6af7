//! Every operation of the catalogue: prepared from the shared samples and
//! checked (method, path, query, body, signature); typed request types agree
//! with the registry; every documented response sample decodes into the
//! operation's typed model without losing anything.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

// Under wasm32, `#[test]` is wasm-bindgen-test's: the tests run in Node (scripts/wasm-tests.sh).
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use std::collections::HashSet;
use std::fmt::Debug;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use zephr_admin::catalogue::{
    BodyKind, OPERATIONS, Operation, ParamLocation, ParamType, find_operation,
};
use zephr_admin::operations::*;
use zephr_admin::request::encode_component;
use zephr_admin::{BaseUrl, Client, Credentials, Env, Response};

fn samples() -> Vec<Value> {
    let file: Value =
        serde_json::from_str(include_str!("../../../tests/vectors/operations.json")).unwrap();
    file["operations"].as_array().unwrap().clone()
}

fn sample(id: &str) -> Value {
    samples()
        .into_iter()
        .find(|s| s["operationId"] == id)
        .unwrap()
}

/// The sample's parameters with its body under `body`.
fn params_with_body(sample: &Value) -> Value {
    let mut params = sample["params"].as_object().unwrap().clone();
    if !sample["body"].is_null() {
        params.insert("body".into(), sample["body"].clone());
    }
    Value::Object(params)
}

fn client() -> Client {
    Client::new(
        Credentials::new("ak", "sk").unwrap(),
        BaseUrl::tenant("demo").unwrap(),
    )
}

fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[test]
fn the_catalogue_is_complete() {
    assert_eq!(OPERATIONS.len(), 162);
    assert_eq!(OPERATIONS.iter().filter(|op| !op.inferred).count(), 161);
    let routes: HashSet<(&str, &str)> = OPERATIONS.iter().map(|op| (op.method, op.path)).collect();
    assert_eq!(routes.len(), 162, "method + path pairs are unique");
    let ids: HashSet<&str> = OPERATIONS.iter().map(|op| op.id).collect();
    assert_eq!(ids.len(), 162, "operation ids are unique");
    let groups: HashSet<&str> = OPERATIONS.iter().map(|op| op.group).collect();
    assert_eq!(groups.len(), 36);
    assert_eq!(OPERATIONS.iter().filter(|op| op.assigned_id).count(), 6);
    let methods: HashSet<(&str, &str)> = OPERATIONS
        .iter()
        .map(|op| (op.namespace, op.method_name))
        .collect();
    assert_eq!(methods.len(), 162, "SDK method names are unique");
    assert_eq!(samples().len(), 162);
}

#[test]
fn every_operation_prepares_from_its_sample() {
    let client = client();
    for sample in samples() {
        let id = sample["operationId"].as_str().unwrap();
        let op = find_operation(id).unwrap();
        let request = op
            .request_from_json(&params_with_body(&sample))
            .unwrap_or_else(|e| panic!("{id}: {e}"));
        let env = Env::new(1_700_000_000_000, "nonce-1");
        let prepared = client
            .prepare(&request, &env)
            .unwrap_or_else(|e| panic!("{id}: {e}"));
        assert_eq!(prepared.method, op.method, "{id}");

        // Path: the template with every parameter percent-encoded in place.
        let mut path = op.path.to_owned();
        let mut query = Vec::new();
        for p in op.params {
            let Some(value) = sample["params"].get(p.name) else {
                continue;
            };
            let mut encoded = String::new();
            encode_component(&text(value), &mut encoded);
            match p.location {
                ParamLocation::Path => path = path.replace(&format!("{{{}}}", p.name), &encoded),
                ParamLocation::Query => {
                    let mut name = String::new();
                    encode_component(p.name, &mut name);
                    query.push(format!("{name}={encoded}"));
                }
                ParamLocation::Header => {
                    assert_eq!(prepared.header(p.name), Some(text(value).as_str()), "{id}")
                }
                other => panic!("{id}: a parameter location this test does not know: {other:?}"),
            }
        }
        let query = query.join("&");
        let target = prepared
            .url
            .strip_prefix("https://demo.api.zephr.com")
            .unwrap();
        let (sent_path, sent_query) = target.split_once('?').unwrap_or((target, ""));
        assert_eq!(sent_path, path, "{id}");
        assert_eq!(sent_query, query, "{id}");

        // Body: compact JSON of the sample, or the text itself.
        match op.body {
            BodyKind::None => assert!(prepared.body.is_empty(), "{id}"),
            BodyKind::Json => assert_eq!(
                prepared.body,
                serde_json::to_vec(&sample["body"]).unwrap(),
                "{id}"
            ),
            BodyKind::Text => assert_eq!(
                prepared.body,
                sample["body"].as_str().unwrap().as_bytes(),
                "{id}"
            ),
            other => panic!("{id}: a body kind this test does not know: {other:?}"),
        }
        if !prepared.body.is_empty() {
            assert!(prepared.header("content-type").is_some(), "{id}");
        }

        // Signature: recomputed from the wire parts.
        let digest = Sha256::new()
            .chain_update(b"sk")
            .chain_update(&prepared.body)
            .chain_update(sent_path.as_bytes())
            .chain_update(sent_query.as_bytes())
            .chain_update(op.method.as_bytes())
            .chain_update(b"1700000000000nonce-1")
            .finalize();
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            prepared.header("authorization").unwrap(),
            format!("ZEPHR-HMAC-SHA256 ak:1700000000000:nonce-1:{hex}"),
            "{id}"
        );
    }
}

#[test]
fn hostile_path_parameters_keep_the_documented_route() {
    let client = client();
    let hostile = [
        "../../v3/admin",
        "a/b",
        "x?y#z",
        " spaced out ",
        "ü東京",
        "%2e%2e",
        "..%2F",
        "a\r\nb",
    ];
    for op in OPERATIONS
        .iter()
        .filter(|op| op.params.iter().any(|p| p.location == ParamLocation::Path))
    {
        let template: Vec<&str> = op.path.split('/').collect();
        for value in hostile {
            let mut params = Map::new();
            for p in op.params.iter().filter(|p| p.required) {
                // Number-typed path parameters refuse non-numeric text (tested below).
                let value = if p.ty == ParamType::String {
                    value
                } else {
                    "1"
                };
                params.insert(p.name.to_owned(), json!(value));
            }
            if op.body != BodyKind::None {
                params.insert(
                    "body".into(),
                    if op.body == BodyKind::Text {
                        json!("x")
                    } else {
                        json!({})
                    },
                );
            }
            let request = op.request_from_json(&Value::Object(params)).unwrap();
            let prepared = client.prepare(&request, &Env::new(1, "n")).unwrap();
            let target = prepared
                .url
                .strip_prefix("https://demo.api.zephr.com")
                .unwrap();
            let path = target.split('?').next().unwrap();
            let segments: Vec<&str> = path.split('/').collect();
            assert_eq!(
                segments.len(),
                template.len(),
                "{} with {value:?}: {path}",
                op.id
            );
            for (sent, documented) in segments.iter().zip(&template) {
                if documented.starts_with('{') {
                    assert!(!sent.contains(['/', '?', '#', ' ']), "{}: {sent}", op.id);
                } else {
                    assert_eq!(sent, documented, "{}", op.id);
                }
            }
            assert!(!target.contains('#') && !target.contains(' '), "{}", op.id);
        }
    }
}

#[test]
fn registry_refuses_bad_parameters() {
    let op = find_operation("listUserSessions")
        .or_else(|| find_operation("getUserSessions"))
        .unwrap();
    assert_eq!(
        op.request_from_json(&json!({})).unwrap_err().code(),
        "missing_param"
    );
    assert_eq!(
        op.request_from_json(&json!({"user_id": "u", "nope": 1}))
            .unwrap_err()
            .code(),
        "unknown_param"
    );
    assert_eq!(
        op.request_from_json(&json!({"user_id": {"a": 1}}))
            .unwrap_err()
            .code(),
        "invalid_param"
    );
    assert_eq!(
        op.request_from_json(&json!({"user_id": "u", "body": {"a": 1}}))
            .unwrap_err()
            .code(),
        "invalid_body"
    );
    assert_eq!(
        op.request_from_json(&json!([1])).unwrap_err().code(),
        "invalid_param"
    );
    assert_eq!(
        zephr_admin::catalogue::require_operation("nope")
            .unwrap_err()
            .code(),
        "unknown_operation"
    );
    let text_op = OPERATIONS
        .iter()
        .find(|op| op.body == BodyKind::Text)
        .unwrap();
    let err = text_op
        .request_from_json(&json!({"body": {"not": "text"}}))
        .unwrap_err();
    assert_eq!(err.code(), "invalid_body");
}

#[test]
fn parameter_values_must_have_the_documented_scalar_type() {
    let code = |id: &str, params: Value| {
        find_operation(id)
            .unwrap()
            .request_from_json(&params)
            .map(|r| r.query_pairs().to_vec())
            .map_err(|e| e.code().to_owned())
    };
    // String parameters take strings only: a number is not quietly sent as text.
    assert_eq!(
        code("getUser", json!({"user_id": 42})).unwrap_err(),
        "invalid_param"
    );
    assert_eq!(
        code("getUser", json!({"user_id": true})).unwrap_err(),
        "invalid_param"
    );
    assert!(code("getUser", json!({"user_id": "42"})).is_ok());
    // Integer parameters: whole numbers or decimal digit strings.
    assert_eq!(
        code("listAccounts", json!({"page": 2, "rpp": "50"})).unwrap(),
        [
            ("rpp".to_owned(), "50".to_owned()),
            ("page".to_owned(), "2".to_owned())
        ]
    );
    for bad in [
        json!(1.5),
        json!("2.0"),
        json!("ten"),
        json!(""),
        json!(" 2"),
        json!(true),
    ] {
        assert_eq!(
            code("listAccounts", json!({ "page": bad })).unwrap_err(),
            "invalid_param",
            "{bad}"
        );
    }
    // Number parameters: JSON's number grammar.
    for good in ["0", "-1", "1.5", "2e3", "2E-3", "007"] {
        assert!(ParamType::Number.accepts_text(good), "{good}");
    }
    for bad in [
        "", "-", "1.", ".5", "1e", "NaN", "inf", "0x10", " 1", "1 ", "+1", "1,5",
    ] {
        assert!(!ParamType::Number.accepts_text(bad), "{bad}");
    }
    // The same rule for text values (the command line).
    let list = find_operation("listAccounts").unwrap();
    assert_eq!(
        list.request([("rpp", "x")], None).unwrap_err().code(),
        "invalid_param"
    );
    assert!(list.request([("rpp", "-3")], None).is_ok());
    // The error names the parameter and the expected type.
    let err = find_operation("getUser")
        .unwrap()
        .request_from_json(&json!({"user_id": 42}))
        .unwrap_err();
    assert!(err.to_string().contains("'user_id' is string"), "{err}");
    // Every path and query parameter carries its documented type.
    let typed = OPERATIONS
        .iter()
        .flat_map(|op| op.params)
        .filter(|p| p.ty != ParamType::String)
        .count();
    assert!(typed > 0);
}

#[test]
fn extra_body_members_are_merged_and_cannot_shadow_documented_ones() {
    let op = find_operation("createAccount").unwrap();
    let request = op
        .request_from_json(&json!({"body": {"name": "A", "extra": {"beta": true}}}))
        .unwrap();
    let prepared = client().prepare(&request, &Env::new(1, "n")).unwrap();
    assert_eq!(prepared.body, br#"{"name":"A","beta":true}"#);
    let clash = op.request_from_json(&json!({"body": {"name": "A", "extra": {"name": "B"}}}));
    assert_eq!(clash.unwrap_err().code(), "invalid_body");
    let not_object = op.request_from_json(&json!({"body": {"extra": [1]}}));
    assert_eq!(not_object.unwrap_err().code(), "invalid_body");
    // The typed Rust body has the same `extra`, flattened by serde.
    let mut body = account::CreateAccountBody {
        name: Some("A".into()),
        ..Default::default()
    };
    body.extra.insert("beta".into(), json!(true));
    let typed = account::CreateAccount { body };
    let typed = client()
        .prepare_operation(&typed, &Env::new(1, "n"))
        .unwrap();
    let parsed = |bytes: &[u8]| serde_json::from_slice::<Value>(bytes).unwrap();
    assert_eq!(parsed(&typed.body), parsed(&prepared.body));
}

#[test]
fn evict_origin_sends_the_raw_regex_as_application_json() {
    for id in ["evictOrigin", "evictOriginSiteV4", "evictOriginV4"] {
        let op = find_operation(id).unwrap();
        assert_eq!(
            (op.body, op.body_media),
            (BodyKind::Text, "application/json")
        );
        let mut params = json!({"body": "/news/.*"});
        if id == "evictOriginV4" {
            params["site"] = json!("s");
        }
        let prepared = client()
            .prepare(&op.request_from_json(&params).unwrap(), &Env::new(1, "n"))
            .unwrap();
        // The raw text, not a JSON string: what the one public client sends.
        assert_eq!(prepared.body, b"/news/.*");
        let content_type = prepared
            .headers
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case("content-type"))
            .map(|(_, value)| value.as_str());
        assert_eq!(content_type, Some("application/json"), "{id}");
    }
}

#[test]
fn pattern_parameters_through_the_typed_request() {
    let mut op = users::ListUsers::default();
    op.foreign_key
        .insert("foreign_key.salesforce".into(), "003 x".into());
    let request = op.to_request().unwrap();
    assert_eq!(
        request.query_pairs(),
        [("foreign_key.salesforce".to_owned(), "003 x".to_owned())]
    );
    let prepared = client().prepare(&request, &Env::new(1, "n")).unwrap();
    assert_eq!(
        prepared.url,
        "https://demo.api.zephr.com/v3/users?foreign_key.salesforce=003%20x"
    );
    let mut typo = users::ListUsers::default();
    typo.foreign_key
        .insert("foreign_id.salesforce".into(), "1".into());
    assert_eq!(typo.to_request().unwrap_err().code(), "unknown_param");
}

/// Drops `null` members (the typed models skip absent values), compares
/// numbers by value (`5` and `5.0`) and moves a top level list into
/// `results`, the normalised list shape.
fn normalise(value: Value, top: bool) -> Value {
    match value {
        Value::Number(n) => json!(n.as_f64()),
        Value::Array(items) if top => json!({ "results": normalise(Value::Array(items), false) }),
        Value::Array(items) => {
            Value::Array(items.into_iter().map(|v| normalise(v, false)).collect())
        }
        Value::Object(map) => {
            let mut out = Map::new();
            for (k, v) in map {
                if v.is_null() {
                    continue;
                }
                let k = if top && k == "items" {
                    "results".to_owned()
                } else {
                    k
                };
                out.insert(k, normalise(v, false));
            }
            Value::Object(out)
        }
        other => other,
    }
}

fn check_typed<O>(id: &str)
where
    O: Operation + DeserializeOwned + PartialEq + Debug,
    O::Output: Serialize,
{
    assert_eq!(O::spec().id, id);
    let sample = sample(id);
    let params = params_with_body(&sample);

    // The typed request and the registry build the same request.
    let typed: O = serde_json::from_value(params.clone()).unwrap_or_else(|e| panic!("{id}: {e}"));
    let from_typed = typed.to_request().unwrap_or_else(|e| panic!("{id}: {e}"));
    let from_registry = O::spec().request_from_json(&params).unwrap();
    assert_eq!(from_typed.method(), from_registry.method(), "{id}");
    assert_eq!(
        from_typed.render_path().unwrap(),
        from_registry.render_path().unwrap(),
        "{id}"
    );
    assert_eq!(
        from_typed.query_pairs(),
        from_registry.query_pairs(),
        "{id}"
    );
    let body_of = |r: &zephr_admin::Request| -> Value {
        let bytes = r.body().as_bytes();
        if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(bytes).into()))
        }
    };
    assert_eq!(
        normalise(body_of(&from_typed), false),
        normalise(body_of(&from_registry), false),
        "{id}"
    );

    // The documented response decodes into the typed model, losing nothing.
    let status = sample["response"]["status"].as_u64().unwrap() as u16;
    let documented = &sample["response"]["body"];
    let bytes = if documented.is_null() {
        Vec::new()
    } else {
        serde_json::to_vec(documented).unwrap()
    };
    let output = O::parse_response(&Response::new(status, vec![], bytes))
        .unwrap_or_else(|e| panic!("{id}: {e}"));
    let round_trip = serde_json::to_value(&output).unwrap();
    assert_eq!(
        normalise(round_trip, true),
        normalise(documented.clone(), true),
        "{id}"
    );
}

macro_rules! typed_operations {
    ($($id:literal => $ty:ty,)*) => {
        #[test]
        fn every_typed_operation_matches_the_registry_and_decodes_its_sample() {
            let mut checked = 0;
            $( check_typed::<$ty>($id); checked += 1; )*
            assert_eq!(checked, OPERATIONS.len());
        }
    };
}

include!("generated/typed_operations.rs");
