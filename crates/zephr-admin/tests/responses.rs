//! Response classification and tolerant decoding, retry decisions, pagination.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

// Under wasm32, `#[test]` is wasm-bindgen-test's: the tests run in Node (scripts/wasm-tests.sh).
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use serde::Deserialize;
use serde_json::{Value, json};
use zephr_admin::error::ApiErrorCode;
use zephr_admin::pagination::next_page;
use zephr_admin::retry::{Outcome, RetryDecision, RetryPolicy, parse_http_date};
use zephr_admin::{Error, List, Request, Response};

fn ok(body: &str) -> Response {
    Response::new(200, vec![], body)
}

#[derive(Debug, Deserialize, PartialEq)]
struct User {
    user_id: String,
    #[serde(flatten)]
    extra: serde_json::Map<String, Value>,
}

#[test]
fn tolerant_decoding() {
    assert_eq!(ok("").decode::<Value>().unwrap(), Value::Null);
    assert_eq!(ok("  \n").decode::<Option<User>>().unwrap(), None);
    ok("").decode::<()>().unwrap();
    assert_eq!(
        ok("\"Account grant revoked\"").decode::<String>().unwrap(),
        "Account grant revoked"
    );

    let direct: User = ok(r#"{"user_id":"u1","new_field":[1]}"#).decode().unwrap();
    let wrapped: User = ok(r#"{"data":{"user_id":"u1","new_field":[1]}}"#)
        .decode()
        .unwrap();
    assert_eq!(direct, wrapped);
    assert_eq!(
        direct.extra["new_field"],
        json!([1]),
        "unknown fields are kept"
    );

    for body in [
        r#"[{"user_id":"u1"}]"#,
        r#"{"results":[{"user_id":"u1"}]}"#,
        r#"{"items":[{"user_id":"u1"}]}"#,
        r#"{"data":[{"user_id":"u1"}]}"#,
    ] {
        let list: List<User> = ok(body).decode().unwrap();
        assert_eq!(list.items.len(), 1, "{body}");
        assert_eq!(list.items[0].user_id, "u1");
    }
    let list: List<Value> =
        ok(r#"{"results":[],"meta":{"rpp":5},"links":{"next":null},"total":"7"}"#)
            .decode()
            .unwrap();
    assert_eq!(list.total, Some(7));
    assert_eq!(list.extra["meta"], json!({"rpp": 5}));
    assert!(list.extra.contains_key("links"));
    assert!(ok("").decode::<List<Value>>().unwrap().items.is_empty());
}

#[test]
fn undecodable_2xx_bodies_are_decode_errors_with_the_raw_body() {
    for (body, expected) in [
        ("{not json", "not JSON"),
        (r#"{"name":"no user_id"}"#, "user_id"),
        (r#""a string""#, "invalid type"),
    ] {
        match ok(body).decode::<User>() {
            Err(Error::Decode(e)) => {
                assert_eq!(e.body, body.as_bytes());
                assert_eq!(e.status, 200);
                assert!(e.message.contains(expected), "{body}: {}", e.message);
            }
            other => panic!("{body}: {other:?}"),
        }
    }
    let error = ok(r#"{"total":1}"#).decode::<List<Value>>().unwrap_err();
    assert_eq!(error.code(), "decode_error");
}

#[test]
fn statuses_map_to_stable_codes() {
    for (status, code) in [
        (400, "bad_request"),
        (401, "authentication_failed"),
        (403, "permission_denied"),
        (404, "not_found"),
        (409, "conflict"),
        (429, "rate_limited"),
        (500, "server_error"),
        (503, "server_error"),
        (599, "server_error"),
        (302, "unexpected_status"),
        (418, "unexpected_status"),
        (0, "unexpected_status"),
    ] {
        let error = Response::new(status, vec![], "")
            .decode::<Value>()
            .unwrap_err();
        assert_eq!(error.code(), code, "{status}");
        let Error::Api(api) = error else { panic!() };
        assert_eq!(api.status, status);
    }
    let codes: Vec<&str> = ApiErrorCode::ALL.iter().map(|c| c.as_str()).collect();
    assert_eq!(codes.len(), 8);
    assert!(
        ApiErrorCode::AuthenticationFailed
            .hint()
            .unwrap()
            .contains("clock")
    );
}

#[test]
fn error_messages_and_request_ids() {
    let message = |body: &str| {
        Response::new(400, vec![], body)
            .error_for_status()
            .unwrap_err()
            .message
    };
    assert_eq!(
        message(r#"{"message":"Bad email"}"#).as_deref(),
        Some("Bad email")
    );
    assert_eq!(
        message(r#"{"error":{"message":"nested"}}"#).as_deref(),
        Some("nested")
    );
    assert_eq!(
        message(r#"{"errors":[{"message":"first"},{"message":"second"}]}"#).as_deref(),
        Some("first")
    );
    assert_eq!(
        message(r#"{"error":"invalid_grant","error_description":"expired"}"#).as_deref(),
        Some("expired")
    );
    assert_eq!(
        message(r#""plain json string""#).as_deref(),
        Some("plain json string")
    );
    assert_eq!(
        message("Too many requests\n").as_deref(),
        Some("Too many requests")
    );
    assert_eq!(message("<html><body>502</body></html>"), None);
    assert_eq!(message(r#"{"status":500}"#), None);
    assert_eq!(message(""), None);
    assert_eq!(message(&"x".repeat(2000)).unwrap().chars().count(), 501);

    for header in [
        "X-Request-Id",
        "x-zephr-request-id",
        "X-Amzn-RequestId",
        "CF-Ray",
    ] {
        let response = Response::new(500, vec![(header.into(), " id-1 ".into())], "");
        assert_eq!(
            response
                .error_for_status()
                .unwrap_err()
                .request_id
                .as_deref(),
            Some("id-1"),
            "{header}"
        );
    }
    let error = Response::new(404, vec![], "{}")
        .error_for_status()
        .unwrap_err();
    assert_eq!(error.request_id, None);
    assert!(error.to_string().starts_with("not_found (HTTP 404)"));
}

fn decide(
    policy: &RetryPolicy,
    method: &str,
    status: Option<u16>,
    retry_after: Option<&str>,
    n: u32,
) -> RetryDecision {
    let outcome = match status {
        Some(status) => Outcome::Response {
            status,
            retry_after,
        },
        None => Outcome::TransportError,
    };
    policy.decide(method, &outcome, n, 0.999_999, 1_000_000)
}

#[test]
fn retry_decisions() {
    let policy = RetryPolicy::default();
    for status in [429, 502, 503, 504] {
        assert!(
            matches!(
                decide(&policy, "GET", Some(status), None, 0),
                RetryDecision::RetryAfter(_)
            ),
            "{status}"
        );
    }
    for status in [200, 400, 401, 403, 404, 409, 500, 501] {
        assert_eq!(
            decide(&policy, "GET", Some(status), None, 0),
            RetryDecision::Stop,
            "{status}"
        );
    }
    for method in ["GET", "head", "PUT", "DELETE"] {
        assert_ne!(
            decide(&policy, method, None, None, 0),
            RetryDecision::Stop,
            "{method}"
        );
    }
    for method in ["POST", "PATCH"] {
        assert_eq!(
            decide(&policy, method, None, None, 0),
            RetryDecision::Stop,
            "{method}"
        );
    }
    let eager = RetryPolicy::default().with_retry_non_idempotent(true);
    assert_ne!(
        decide(&eager, "POST", Some(503), None, 0),
        RetryDecision::Stop
    );

    // Bounded attempts.
    assert_eq!(decide(&policy, "GET", None, None, 2), RetryDecision::Stop);
    assert_eq!(
        decide(&RetryPolicy::never(), "GET", None, None, 0),
        RetryDecision::Stop
    );

    // Exponential backoff, capped, with full jitter.
    let wide = RetryPolicy::default().with_max_retries(10);
    let delays: Vec<u64> = (0..6)
        .map(|n| match decide(&wide, "GET", None, None, n) {
            RetryDecision::RetryAfter(ms) => ms,
            RetryDecision::Stop => panic!(),
        })
        .collect();
    assert_eq!(delays, vec![499, 999, 1999, 3999, 7999, 7999]);
    assert_eq!(
        wide.decide("GET", &Outcome::TransportError, 3, 0.0, 0),
        RetryDecision::RetryAfter(0)
    );
    assert_eq!(
        wide.decide("GET", &Outcome::TransportError, 3, f64::NAN, 0),
        RetryDecision::RetryAfter(4000)
    );
    assert_eq!(
        wide.decide("GET", &Outcome::TransportError, 3, 7.0, 0),
        RetryDecision::RetryAfter(4000)
    );
    assert_eq!(
        wide.decide("GET", &Outcome::TransportError, 200, 1.0, 0),
        RetryDecision::Stop
    );
    let many = RetryPolicy::default().with_max_retries(u32::MAX);
    assert_eq!(
        many.decide("GET", &Outcome::TransportError, 200, 1.0, 0),
        RetryDecision::RetryAfter(8000)
    );
}

#[test]
fn retry_after_is_honoured_up_to_a_cap() {
    let policy = RetryPolicy::default();
    assert_eq!(
        decide(&policy, "GET", Some(429), Some("3"), 0),
        RetryDecision::RetryAfter(3000)
    );
    assert_eq!(
        decide(&policy, "GET", Some(503), Some("0"), 0),
        RetryDecision::RetryAfter(0)
    );
    assert_eq!(
        decide(&policy, "GET", Some(429), Some("61"), 0),
        RetryDecision::Stop
    );
    assert_eq!(
        decide(
            &policy,
            "GET",
            Some(429),
            Some("99999999999999999999999"),
            0
        ),
        RetryDecision::Stop
    );
    // Garbage falls back to backoff.
    assert_eq!(
        decide(&policy, "GET", Some(429), Some("soon"), 0),
        RetryDecision::RetryAfter(499)
    );
    assert_eq!(
        decide(&policy, "GET", Some(429), Some("-5"), 0),
        RetryDecision::RetryAfter(499)
    );

    let date = "Sun, 06 Nov 1994 08:49:37 GMT";
    let at = parse_http_date(date).unwrap();
    assert_eq!(at, 784_111_777_000);
    let outcome = Outcome::Response {
        status: 503,
        retry_after: Some(date),
    };
    assert_eq!(
        policy.decide("GET", &outcome, 0, 0.5, at - 5_000),
        RetryDecision::RetryAfter(5_000)
    );
    assert_eq!(
        policy.decide("GET", &outcome, 0, 0.5, at + 5_000),
        RetryDecision::RetryAfter(0)
    );
    assert_eq!(
        policy.decide("GET", &outcome, 0, 0.5, at - 120_000),
        RetryDecision::Stop
    );
    assert_eq!(parse_http_date("Thu, 01 Jan 1970 00:00:00 GMT"), Some(0));
    assert_eq!(
        parse_http_date("Tue, 29 Feb 2028 23:59:59 GMT"),
        Some(1_835_481_599_000)
    );
    for bad in [
        "",
        "Sun, 06 Nov 1994 08:49:37",
        "Sun, 06 Foo 1994 08:49:37 GMT",
        "Sun, 32 Nov 1994 08:49:37 GMT",
        "Sun, 06 Nov 1994 24:00:00 GMT",
    ] {
        assert_eq!(parse_http_date(bad), None, "{bad}");
    }
}

fn page_of(request: &Request, body: Value) -> Option<String> {
    next_page(request, &body).map(|r| r.query_value("page").unwrap().to_owned())
}

#[test]
fn pagination() {
    let first = Request::get("/v3/accounts")
        .with_query("search", "acme")
        .with_query("rpp", "2");
    let full = json!({"results": [1, 2], "total": 5});
    assert_eq!(page_of(&first, full.clone()).as_deref(), Some("2"));
    let third = first.clone().with_query_replaced("page", "3");
    assert_eq!(page_of(&third, json!({"results": [5], "total": 5})), None);
    assert_eq!(
        page_of(
            &first.clone().with_query_replaced("page", "2"),
            full.clone()
        )
        .as_deref(),
        Some("3")
    );
    // Order of the other pairs is kept, page replaced in place.
    let next = next_page(&first.clone().with_query_replaced("page", "2"), &full).unwrap();
    let names: Vec<&str> = next.query_pairs().iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(names, ["search", "rpp", "page"]);

    // Without rpp, this page's length is the page size.
    let bare = Request::get("/v3/accounts");
    assert_eq!(
        page_of(&bare, json!({"results": [1, 2], "total": 3})).as_deref(),
        Some("2")
    );
    assert_eq!(
        page_of(&bare, json!({"results": [1, 2, 3], "total": 3})),
        None
    );
    // Without total: a full page means maybe more, a short one is the end.
    assert_eq!(
        page_of(&first, json!({"results": [1, 2]})).as_deref(),
        Some("2")
    );
    assert_eq!(page_of(&first, json!({"results": [1]})), None);
    assert_eq!(page_of(&bare, json!({"results": [1]})), None);
    assert_eq!(page_of(&first, json!({"results": [], "total": 10})), None);
    assert_eq!(page_of(&first, json!("not a list")), None);

    // The user-export shape.
    let export = Request::get("/v3/user-export").with_query("rpp", "500");
    let linked = json!({"results": [1], "meta": {"count": 1, "rpp": 500, "paginated": true},
                        "links": {"next": {"url": "/v3/user-export?page=2", "page": 2}}});
    assert_eq!(page_of(&export, linked).as_deref(), Some("2"));
    assert_eq!(
        page_of(&export, json!({"results": [1], "links": {"next": null}})),
        None
    );
    assert_eq!(
        page_of(&export, json!({"results": [1], "links": {"first": {}}})),
        None
    );
    assert_eq!(
        page_of(
            &export,
            json!({"results": [1], "links": {"next": {"page": 1}}})
        ),
        None
    );
    assert_eq!(
        page_of(
            &export,
            json!({"results": [1], "meta": {"paginated": false}, "total": 99})
        ),
        None
    );
    assert_eq!(
        page_of(
            &Request::get("/v3/user-export"),
            json!({"results": [1, 2], "meta": {"rpp": 2}})
        )
        .as_deref(),
        Some("2")
    );
}
