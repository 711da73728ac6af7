//! The call handles as the JavaScript client pumps them: JSON text in and out,
//! time, nonces and jitter passed in.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

use serde_json::{Value, json};
use zephr_admin_js::ClientHandle;

const NOW: f64 = 1_700_000_000_000.0;

fn client(extra: Value) -> ClientHandle {
    let mut options =
        json!({"accessKey": "ak", "secretKey": "sk", "baseUrl": "http://127.0.0.1:9"});
    options
        .as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    ClientHandle::new(&options.to_string())
}

fn parse(text: &str) -> Value {
    serde_json::from_str(text).unwrap()
}

fn response(status: u16, headers: Value) -> String {
    json!({"response": {"status": status, "headers": headers}}).to_string()
}

fn failure(kind: &str) -> String {
    json!({"failure": {"kind": kind, "message": "reset"}}).to_string()
}

#[test]
fn a_retried_attempt_waits_as_the_core_says_and_is_signed_afresh() {
    let client = client(json!({}));
    let mut call = client.call("getUser", r#"{"user_id":"u-1"}"#, "{}");
    let first = parse(&call.poll(NOW, "n-1"));
    assert_eq!(first["step"], "send");
    let retry = parse(&call.handle(
        &response(503, json!([["retry-after", "2"]])),
        vec![],
        NOW,
        0.5,
    ));
    assert_eq!(
        retry,
        json!({"ok": {"attempt": 1, "status": 503, "failure": null, "waitMs": 2000}})
    );
    assert_eq!(
        parse(&call.poll(NOW, "n-2")),
        json!({"step": "wait", "ms": 2000})
    );
    let second = parse(&call.poll(NOW + 2000.0, "n-3"));
    assert_eq!(second["step"], "send");
    let auth = |step: &Value| {
        step["request"]["headers"]["authorization"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_ne!(auth(&first), auth(&second));
    assert!(
        auth(&second).contains(":1700000002000:n-3:"),
        "{}",
        auth(&second)
    );
    let done = call.handle(
        &response(200, json!([["X-Request-Id", "req-9"]])),
        br#"{"user_id":"u-1"}"#.to_vec(),
        NOW + 2100.0,
        0.5,
    );
    assert_eq!(done, r#"{"ok":null}"#);
    assert_eq!(
        parse(&call.poll(NOW + 2100.0, "n-4")),
        json!({"step": "output", "ok": {"user_id": "u-1"}, "requestId": "req-9"})
    );
    assert_eq!(parse(&call.poll(NOW, "n-5")), json!({"step": "finished"}));
}

#[test]
fn a_post_that_may_have_been_sent_is_not_retried_but_a_refused_connection_is() {
    let client = client(json!({}));
    let params = r#"{"body":{"identifiers":{"email_address":"a@b.c"}}}"#;
    let mut call = client.call("createUser", params, "{}");
    assert_eq!(parse(&call.poll(NOW, "n-1"))["step"], "send");
    assert_eq!(
        call.handle(&failure("interrupted"), vec![], NOW, 0.5),
        r#"{"ok":null}"#
    );
    let end = parse(&call.poll(NOW, "n-2"));
    assert_eq!(end["step"], "error");
    assert_eq!(end["err"]["code"], "transport_error");

    let mut call = client.call("createUser", params, "{}");
    let _ = call.poll(NOW, "n-3");
    let retry = parse(&call.handle(&failure("connect"), vec![], NOW, 0.0));
    assert_eq!(retry["ok"]["failure"], "connect_failed");
}

#[test]
fn pages_are_walked_to_the_end_by_the_core() {
    let client = client(json!({}));
    let mut call = client.call("listAccounts", r#"{"rpp":1}"#, r#"{"paginate":true}"#);
    let mut pages = vec![];
    for n in 0..10 {
        let step = parse(&call.poll(NOW, &format!("n-{n}")));
        match step["step"].as_str().unwrap() {
            "send" => {
                let url = step["request"]["url"].as_str().unwrap().to_owned();
                let body = json!({"results": [{"account_id": url}], "total": 2}).to_string();
                let _ = call.handle(&response(200, json!([])), body.into_bytes(), NOW, 0.5);
            }
            "output" => pages.push(step["ok"]["results"][0]["account_id"].clone()),
            "finished" => break,
            other => panic!("{other}: {step}"),
        }
    }
    assert_eq!(pages.len(), 2, "{pages:?}");
    assert!(pages[1].as_str().unwrap().contains("page=2"), "{pages:?}");
}

#[test]
fn default_headers_are_sent_and_signing_headers_refused() {
    let mut call = client(json!({"defaultHeaders": {"x-trace": "t-1"}})).call(
        "getUser",
        r#"{"user_id":"u"}"#,
        "{}",
    );
    assert_eq!(
        parse(&call.poll(NOW, "n"))["request"]["headers"]["x-trace"],
        "t-1"
    );
    for name in ["Authorization", "content-type", "user-agent"] {
        let client = client(json!({"defaultHeaders": {name: "sk-not-a-secret"}}));
        let error = parse(&client.error().unwrap());
        assert_eq!(error["err"]["code"], "invalid_header", "{name}");
        // A call from such a client fails at its first poll, with the same error.
        let mut call = client.call("getUser", r#"{"user_id":"u"}"#, "{}");
        assert_eq!(parse(&call.poll(NOW, "n"))["err"], error["err"]);
    }
    let client = client(json!({"defaultHeaders": {"x-a": 1}}));
    assert_eq!(
        parse(&client.error().unwrap())["err"]["code"],
        "invalid_options"
    );
}

#[test]
fn malformed_outcomes_are_typed_errors_and_bodies_over_the_limit_end_the_call() {
    let client = client(json!({}));
    let mut call = client.call("getUser", r#"{"user_id":"u"}"#, r#"{"maxResponseBytes":4}"#);
    assert_eq!(call.max_response_bytes(), 4.0);
    let _ = call.poll(NOW, "n-1");
    for (outcome, code) in [
        ("{", "invalid_param"),
        (
            r#"{"response":{"status":0,"headers":[]}}"#,
            "invalid_status",
        ),
        (
            r#"{"failure":{"kind":"gone","message":""}}"#,
            "invalid_param",
        ),
    ] {
        assert_eq!(
            parse(&call.handle(outcome, vec![], NOW, 0.5))["err"]["code"],
            code
        );
    }
    let _ = call.handle(&response(200, json!([])), b"123456".to_vec(), NOW, 0.5);
    assert_eq!(
        parse(&call.poll(NOW, "n-2"))["err"]["code"],
        "body_too_large"
    );
    let bad = client.call("getUser", "{}", r#"{"retries":1}"#);
    let mut bad = bad;
    assert_eq!(parse(&bad.poll(NOW, "n"))["err"]["code"], "invalid_options");
}

#[test]
fn the_engine_ends_a_call_on_a_redirect_whatever_the_host_saw_of_it() {
    let client = client(json!({}));
    let params = r#"{"body":{"identifiers":{"email_address":"a@b.c"}}}"#;
    // A 307 the host could read: status, Location and request id reach the error.
    let mut call = client.call("createUser", params, r#"{"maxRetries":3}"#);
    assert_eq!(parse(&call.poll(NOW, "n-1"))["step"], "send");
    let headers = json!([
        ["Location", "https://elsewhere.example/v3/users"],
        ["x-request-id", "r-7"]
    ]);
    assert_eq!(
        call.handle(&response(307, headers), vec![], NOW, 0.5),
        r#"{"ok":null}"#,
        "no retry"
    );
    let end = parse(&call.poll(NOW, "n-2"));
    assert_eq!(end["step"], "error");
    let err = &end["err"];
    assert_eq!(
        (
            &err["code"],
            &err["status"],
            &err["location"],
            &err["requestId"]
        ),
        (
            &json!("redirect"),
            &json!(307),
            &json!("https://elsewhere.example/v3/users"),
            &json!("r-7")
        ),
        "{err}"
    );
    assert_eq!(parse(&call.poll(NOW, "n-3")), json!({"step": "finished"}));

    // An opaque redirect (fetch hides status and Location): the same error, without them.
    let mut call = client.call("getUser", r#"{"user_id":"u-1"}"#, "{}");
    let _ = call.poll(NOW, "n-4");
    assert_eq!(
        call.handle(&failure("opaqueRedirect"), vec![], NOW, 0.5),
        r#"{"ok":null}"#
    );
    let end = parse(&call.poll(NOW, "n-5"));
    assert_eq!(end["err"]["code"], "redirect");
    assert!(end["err"].get("status").is_none(), "{end}");
    assert!(end["err"].get("location").is_none(), "{end}");
}
