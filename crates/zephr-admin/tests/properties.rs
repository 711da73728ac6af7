//! Property tests: what is signed is what is sent, path parameters never move
//! the route, and no response or retry input can panic.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

// Under wasm32, `#[test]` is wasm-bindgen-test's: the tests run in Node (scripts/wasm-tests.sh).
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use proptest::prelude::*;
use sha2::{Digest, Sha256};
use zephr_admin::pagination::next_page;
use zephr_admin::retry::{Outcome, RetryDecision, RetryPolicy};
use zephr_admin::{BaseUrl, Body, Client, Credentials, Env, List, Request, Response};

fn method() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("GET".to_owned()),
        Just("post".to_owned()),
        Just("PUT".to_owned()),
        Just("Patch".to_owned()),
        Just("DELETE".to_owned()),
        "[A-Za-z!#$%&'*+.^_`|~0-9-]{1,12}",
    ]
}

fn body() -> impl Strategy<Value = Body> {
    prop_oneof![
        Just(Body::empty()),
        any::<String>().prop_map(Body::text),
        proptest::collection::vec(any::<u8>(), 0..300)
            .prop_map(|b| Body::raw(b, "application/octet-stream")),
        proptest::collection::btree_map(any::<String>(), any::<String>(), 0..5)
            .prop_map(|m| Body::json(&m).unwrap()),
    ]
}

/// A path parameter value: anything but the three that are refused.
fn param() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        Just("../../v3/admin".to_owned()),
        Just("a/b?c#d".to_owned()),
        Just("x y%2F\u{fc}\u{6771}".to_owned()),
    ]
    .prop_filter("refused values", |s| !s.is_empty() && s != "." && s != "..")
}

fn percent_decode(s: &str) -> Vec<u8> {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn the_signature_covers_exactly_what_is_sent(
        method in method(),
        user_id in param(),
        grant_id in param(),
        query in proptest::collection::vec((any::<String>(), any::<String>()), 0..5),
        body in body(),
        now_ms in any::<u64>(),
        nonce in "[!-9;-~]{1,40}",
        secret in any::<String>().prop_filter("non-empty", |s| !s.is_empty()),
    ) {
        let client = Client::new(
            Credentials::new("ak", secret.as_str()).unwrap(),
            BaseUrl::parse("http://127.0.0.1:8080").unwrap(),
        );
        let mut request = Request::new(method.as_str(), "/v3/users/{user_id}/grants/{grant_id}")
            .with_path_param("user_id", user_id.as_str())
            .with_path_param("grant_id", grant_id.as_str())
            .with_body(body.clone());
        for (k, v) in &query {
            request = request.with_query(k.as_str(), v.as_str());
        }
        let prepared = client.prepare(&request, &Env::new(now_ms, nonce.as_str())).unwrap();

        // Split the URL the way a server does.
        let target = prepared.url.strip_prefix("http://127.0.0.1:8080").unwrap();
        let (path, sent_query) = target.split_once('?').unwrap_or((target, ""));
        prop_assert!(!target.contains('#'));

        // Recompute the hash from the wire parts.
        let digest = Sha256::new()
            .chain_update(secret.as_bytes())
            .chain_update(&prepared.body)
            .chain_update(path.as_bytes())
            .chain_update(sent_query.as_bytes())
            .chain_update(method.to_ascii_uppercase().as_bytes())
            .chain_update(now_ms.to_string().as_bytes())
            .chain_update(nonce.as_bytes())
            .finalize();
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        let expected = format!("ZEPHR-HMAC-SHA256 ak:{now_ms}:{nonce}:{hex}");
        prop_assert_eq!(prepared.header("authorization"), Some(expected.as_str()));
        prop_assert_eq!(&prepared.body, body.as_bytes());
        prop_assert_eq!(&prepared.method, &method.to_ascii_uppercase());

        // The route never moves: same segment count, each parameter decodes back.
        let segments: Vec<&str> = path.split('/').collect();
        prop_assert_eq!(segments.len(), 6);
        prop_assert_eq!(&segments[..2], &["", "v3"]);
        prop_assert_eq!(segments[2], "users");
        prop_assert_eq!(segments[4], "grants");
        prop_assert_eq!(percent_decode(segments[3]), user_id.as_bytes());
        prop_assert_eq!(percent_decode(segments[5]), grant_id.as_bytes());

        // Query pairs keep their order and decode back.
        let pairs: Vec<(Vec<u8>, Vec<u8>)> = sent_query
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap();
                (percent_decode(k), percent_decode(v))
            })
            .collect();
        let given: Vec<(Vec<u8>, Vec<u8>)> =
            query.iter().map(|(k, v)| (k.as_bytes().to_vec(), v.as_bytes().to_vec())).collect();
        prop_assert_eq!(pairs, given);
    }

    #[test]
    fn any_response_is_handled_without_panic(
        status in any::<u16>(),
        headers in proptest::collection::vec((any::<String>(), any::<String>()), 0..4),
        body in prop_oneof![
            proptest::collection::vec(any::<u8>(), 0..512),
            any::<String>().prop_map(String::into_bytes),
            "[\\[\\]{}\",:0-9a-z ]{0,200}".prop_map(String::into_bytes),
        ],
        jitter in any::<f64>(),
        retries in any::<u32>(),
        now_ms in any::<u64>(),
    ) {
        let response = Response::new(status, headers, body);
        let _ = response.decode::<serde_json::Value>();
        let _ = response.decode::<List<serde_json::Value>>();
        let _ = response.decode::<()>();
        let _ = response.text();
        if let Err(e) = response.error_for_status() {
            prop_assert!(!(200..300).contains(&status));
            prop_assert_eq!(e.status, status);
            prop_assert!(e.message.as_ref().is_none_or(|m| m.chars().count() <= 501));
        }
        let policy = RetryPolicy::default();
        match policy.decide("GET", &Outcome::from_response(&response), retries, jitter, now_ms) {
            RetryDecision::RetryAfter(ms) => prop_assert!(ms <= policy.max_retry_after_ms.max(policy.max_delay_ms)),
            RetryDecision::Stop => {}
        }
        if let Ok(value) = serde_json::from_slice::<serde_json::Value>(&response.body) {
            let request = Request::get("/v3/accounts").with_query("page", "3");
            if let Some(next) = next_page(&request, &value) {
                let page: u64 = next.query_value("page").unwrap().parse().unwrap();
                prop_assert!(page > 3);
            }
        }
    }

    #[test]
    fn retry_after_values_never_panic(value in any::<String>(), now_ms in any::<u64>()) {
        let _ = zephr_admin::retry::parse_retry_after(&value, now_ms);
    }
}

#[test]
fn deeply_nested_bodies_are_a_decode_error_not_a_crash() {
    for open in ["[", "{\"a\":"] {
        let body = open.repeat(100_000);
        let response = Response::new(200, vec![], body);
        assert_eq!(
            response.decode::<serde_json::Value>().unwrap_err().code(),
            "decode_error"
        );
        let response = Response::new(500, vec![], open.repeat(100_000));
        assert_eq!(response.error_for_status().unwrap_err().message, None);
    }
}

#[test]
fn a_large_body_decodes() {
    let item = r#"{"account_id":"0123456789ABCD","name":"Acme","extra":{"a":[1,2,3]}},"#;
    let mut body = String::from("{\"results\":[");
    body.push_str(&item.repeat(20_000));
    body.pop();
    body.push_str("],\"total\":20000}");
    let list: List<serde_json::Value> = Response::new(200, vec![], body).decode().unwrap();
    assert_eq!(list.items.len(), 20_000);
    assert_eq!(list.total, Some(20_000));
}
