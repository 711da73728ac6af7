//! The public API's promises: the typed paging path follows the same rules as
//! the JSON one, wrapped errors are reachable through `source`, and the
//! builders of non-exhaustive types set exactly what they name.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

// Under wasm32, `#[test]` is wasm-bindgen-test's: the tests run in Node (scripts/wasm-tests.sh).
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use std::error::Error as _;

use proptest::prelude::*;
use serde_json::{Value, json};
use zephr_admin::error::{DecodeError, InputError, InputErrorKind};
use zephr_admin::pagination::next_page;
use zephr_admin::retry::RetryPolicy;
use zephr_admin::{BaseUrl, Client, Credentials, Env, Error, List, Request, Response};

/// A list body in one of the documented envelopes, with paging members that
/// may be missing, well-formed or odd (text numbers, nulls, backward links).
fn list_body() -> impl Strategy<Value = Value> {
    let items = proptest::collection::vec(Just(json!({"id": "x"})), 0..6);
    let total = prop_oneof![
        Just(None),
        (0u64..40).prop_map(|n| Some(json!(n))),
        (0u64..40).prop_map(|n| Some(json!(n.to_string()))),
        Just(Some(json!("many"))),
    ];
    let meta = prop_oneof![
        Just(None),
        (any::<bool>(), 0u64..8)
            .prop_map(|(paginated, rpp)| Some(json!({"paginated": paginated, "rpp": rpp}))),
    ];
    let links = prop_oneof![
        Just(None),
        Just(Some(json!({"next": null}))),
        (0u64..12).prop_map(|page| Some(json!({"next": {"page": page}}))),
        Just(Some(json!({"next": {}}))),
    ];
    (items, total, meta, links, 0..3u8).prop_map(|(items, total, meta, links, shape)| {
        if shape == 0 {
            return Value::Array(items);
        }
        let key = if shape == 1 { "results" } else { "data" };
        let mut body = json!({ key: items });
        for (name, member) in [("total", total), ("meta", meta), ("links", links)] {
            if let Some(member) = member {
                body[name] = member;
            }
        }
        body
    })
}

proptest! {
    #[test]
    fn typed_pages_follow_the_json_rules(
        body in list_body(),
        page in prop_oneof![Just(None), (1u64..10).prop_map(Some)],
        rpp in prop_oneof![Just(None), (0u64..8).prop_map(Some)],
    ) {
        let mut request = Request::get("/v3/accounts");
        if let Some(page) = page {
            request = request.with_query("page", page.to_string());
        }
        if let Some(rpp) = rpp {
            request = request.with_query("rpp", rpp.to_string());
        }
        let response = Response::new(200, vec![], serde_json::to_vec(&body).unwrap());
        let list: List<Value> = response.decode().unwrap();
        prop_assert_eq!(list.next_page(&request), next_page(&request, &body));
    }
}

#[test]
fn every_error_variant_has_its_wrapped_error_as_source() {
    let input = Error::from(InputError::new(InputErrorKind::InvalidNonce, "empty"));
    let api = Error::from(
        Response::new(503, vec![], "busy")
            .error_for_status()
            .unwrap_err(),
    );
    let decode = Error::from(DecodeError::new(200, "expected an array", b"{}".to_vec()));
    for (error, code) in [
        (input, "invalid_nonce"),
        (api, "server_error"),
        (decode, "decode_error"),
    ] {
        assert_eq!(error.code(), code);
        let source = error.source().expect("a wrapped error");
        // The wrapper adds nothing to the message: the chain reads once.
        assert_eq!(source.to_string(), error.to_string());
    }
}

#[test]
fn no_error_message_or_debug_output_holds_the_secret_key() {
    let secret = "sk-9b8c7d6e-do-not-print";
    let client = Client::new(
        Credentials::new("ak", secret).unwrap(),
        BaseUrl::tenant("news").unwrap(),
    );
    let refused = [
        client.prepare(&Request::get("/v3/users/{user_id}"), &Env::new(1, "n")),
        client.prepare(&Request::get("/v3/accounts"), &Env::new(1, "")),
        client.prepare(&Request::new("GE T", "/v3/accounts"), &Env::new(1, "n")),
        client.prepare(
            &Request::get("/v3/accounts").with_header("authorization", secret),
            &Env::new(1, "n"),
        ),
    ];
    for result in refused {
        let error = result.unwrap_err();
        for text in [error.to_string(), format!("{error:?}")] {
            assert!(!text.contains(secret), "{text}");
        }
    }
    assert!(!format!("{client:?}").contains(secret));
}

#[test]
fn retry_policy_builders_set_only_their_field() {
    let default = RetryPolicy::default();
    let policy = RetryPolicy::default()
        .with_max_retries(7)
        .with_base_delay_ms(11)
        .with_max_delay_ms(13)
        .with_max_retry_after_ms(17)
        .with_retry_non_idempotent(true);
    assert_eq!(
        (
            policy.max_retries,
            policy.base_delay_ms,
            policy.max_delay_ms,
            policy.max_retry_after_ms,
            policy.retry_non_idempotent,
        ),
        (7, 11, 13, 17, true)
    );
    assert_eq!(
        RetryPolicy::default().with_max_retries(0),
        RetryPolicy::never()
    );
    assert_eq!(
        RetryPolicy::default().with_base_delay_ms(default.base_delay_ms),
        default
    );
}
