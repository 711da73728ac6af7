//! The call engine under arbitrary sequences of outcomes, without I/O: every
//! attempt is re-signed with the host's latest time and nonce, no retry
//! follows a failure of unknown outcome for a non-idempotent method, waits
//! are capped, attempts are bounded, and pages end.

#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

// Under wasm32, `#[test]` is wasm-bindgen-test's: the tests run in Node (scripts/wasm-tests.sh).
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use proptest::prelude::*;
use serde_json::{Value, json};
use zephr_admin::call::{
    Call, CallError, CallOptions, Engine, FailureKind, Pages, Step, TransportFailure,
};
use zephr_admin::retry::RetryPolicy;
use zephr_admin::{BaseUrl, Client, Credentials, Request, Response};

fn client() -> Client {
    Client::new(
        Credentials::new("ak", "sk").unwrap(),
        BaseUrl::parse("http://127.0.0.1:9").unwrap(),
    )
}

#[derive(Debug, Clone)]
enum Reply {
    Status(u16, Option<String>),
    Fail(FailureKind),
}

fn reply() -> impl Strategy<Value = Reply> {
    let status = prop_oneof![
        Just(200u16),
        Just(204),
        Just(301),
        Just(302),
        Just(400),
        Just(401),
        Just(404),
        Just(429),
        Just(500),
        Just(502),
        Just(503),
        Just(504),
    ];
    let retry_after = proptest::option::of(prop_oneof![
        (0u64..5).prop_map(|s| s.to_string()),
        (0u64..1_000_000).prop_map(|s| s.to_string()),
        Just("Sun, 06 Nov 2050 08:49:37 GMT".to_owned()),
        Just("soon".to_owned()),
    ]);
    prop_oneof![
        3 => (status, retry_after).prop_map(|(s, r)| Reply::Status(s, r)),
        1 => prop_oneof![
            Just(FailureKind::Connect),
            Just(FailureKind::TimedOut),
            Just(FailureKind::Interrupted),
            Just(FailureKind::BodyTooLarge),
            Just(FailureKind::OpaqueRedirect),
        ]
        .prop_map(Reply::Fail),
    ]
}

fn method() -> impl Strategy<Value = &'static str> {
    prop_oneof![
        Just("GET"),
        Just("POST"),
        Just("PUT"),
        Just("PATCH"),
        Just("DELETE")
    ]
}

/// One host run: what was sent, when, and what came out.
struct Run {
    sends: Vec<(u64, String, String)>,
    waits: Vec<u64>,
    output: Option<Result<Value, CallError>>,
    polls_after_output: Vec<bool>,
}

fn pump(
    method: &str,
    policy: RetryPolicy,
    replies: &[Reply],
    start: u64,
    drift: &[u64],
    max_body: u64,
) -> Run {
    let client = client();
    let request = Request::new(method, "/v3/things");
    let options = CallOptions::default()
        .with_retry(policy)
        .with_max_response_bytes(max_body);
    let mut call: Call<Value> = Call::new(&client, request, options);
    let mut run = Run {
        sends: vec![],
        waits: vec![],
        output: None,
        polls_after_output: vec![],
    };
    let mut now = start;
    let mut next_reply = replies.iter().cycle();
    for i in 0..1_000usize {
        let nonce = format!("n{i}");
        match call.poll(&client, now, &nonce) {
            Step::Send(prepared) => {
                let auth = prepared.header("authorization").unwrap().to_owned();
                run.sends.push((now, nonce, auth));
                let outcome = match next_reply.next().unwrap() {
                    Reply::Status(status, retry_after) => {
                        let mut headers: Vec<(String, String)> = retry_after
                            .iter()
                            .map(|v| ("Retry-After".to_owned(), v.clone()))
                            .collect();
                        headers.push(("Location".to_owned(), format!("/moved/{status}")));
                        Ok(Response::new(*status, headers, "{\"ok\":true}"))
                    }
                    Reply::Fail(kind) => Err(TransportFailure::new(*kind, "injected")),
                };
                now += drift[i % drift.len()];
                call.handle(outcome, now, 0.5);
            }
            Step::Wait(ms) => {
                run.waits.push(ms);
                now += ms + drift[i % drift.len()];
            }
            Step::Output(result) => {
                run.output = Some(result);
                for _ in 0..3 {
                    run.polls_after_output
                        .push(matches!(call.poll(&client, now, "x"), Step::Finished));
                }
                return run;
            }
            Step::Finished => panic!("finished before an output"),
        }
    }
    panic!("the call did not end in 1000 steps");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn calls_are_bounded_resigned_capped_and_safe(
        method in method(),
        max_retries in 0u32..5,
        retry_non_idempotent in any::<bool>(),
        replies in proptest::collection::vec(reply(), 1..10),
        start in 1_600_000_000_000u64..1_800_000_000_000,
        drift in proptest::collection::vec(0u64..5_000, 1..5),
        max_body in prop_oneof![Just(5u64), Just(1_000)],
    ) {
        let policy = RetryPolicy::default().with_max_retries(max_retries).with_retry_non_idempotent(retry_non_idempotent);
        let run = pump(method, policy.clone(), &replies, start, &drift, max_body);

        // Bounded: at most 1 + max_retries attempts, exactly one output, then Finished.
        prop_assert!(!run.sends.is_empty());
        prop_assert!(run.sends.len() <= 1 + max_retries as usize);
        prop_assert!(run.output.is_some());
        prop_assert!(run.polls_after_output.iter().all(|f| *f));

        // Every attempt is signed with the time and nonce of the poll that sent it.
        for (now, nonce, auth) in &run.sends {
            let expected = format!("ZEPHR-HMAC-SHA256 ak:{now}:{nonce}:");
            prop_assert!(auth.starts_with(&expected), "{} vs {}", auth, expected);
        }
        let mut nonces: Vec<&String> = run.sends.iter().map(|(_, n, _)| n).collect();
        nonces.dedup();
        prop_assert_eq!(nonces.len(), run.sends.len());
        // Time only moves forward between attempts.
        prop_assert!(run.sends.windows(2).all(|w| w[0].0 <= w[1].0));

        // Waits are capped by the policy (Retry-After beyond the cap stops instead).
        let cap = policy.max_retry_after_ms.max(policy.max_delay_ms);
        prop_assert!(run.waits.iter().all(|w| *w <= cap));

        // What each attempt met decides whether another followed.
        let idempotent = !matches!(method, "POST" | "PATCH");
        for (i, reply) in replies.iter().cycle().take(run.sends.len()).enumerate() {
            let retried = i + 1 < run.sends.len();
            match reply {
                Reply::Fail(FailureKind::TimedOut | FailureKind::Interrupted)
                    if !idempotent && !retry_non_idempotent =>
                {
                    prop_assert!(!retried, "a non-idempotent attempt of unknown outcome was retried");
                }
                Reply::Fail(FailureKind::BodyTooLarge | FailureKind::OpaqueRedirect) => {
                    prop_assert!(!retried)
                }
                Reply::Status(status, _) if !matches!(status, 429 | 502 | 503 | 504) => {
                    // Successes, redirects and other errors end the call.
                    prop_assert!(!retried);
                }
                _ => {}
            }
        }

        // The output matches the last reply.
        let last = replies.iter().cycle().nth(run.sends.len() - 1).unwrap();
        match (last, run.output.unwrap()) {
            (Reply::Status(200 | 204, _), Ok(body)) if max_body >= 11 => {
                prop_assert_eq!(body, json!({"ok": true}));
            }
            (Reply::Status(_, _), Err(CallError::Transport(f))) => {
                prop_assert_eq!(f.kind, FailureKind::BodyTooLarge);
                prop_assert!(max_body < 11);
            }
            // A 3xx ends the call as a redirect, whatever the decoder, with its Location.
            (Reply::Status(status @ 300..=399, _), Err(CallError::Redirect(r))) => {
                prop_assert_eq!(r.status, Some(*status));
                prop_assert_eq!(r.location.clone(), Some(format!("/moved/{status}")));
            }
            (Reply::Status(status @ 300..=399, _), other) => {
                prop_assert!(false, "{} gave {:?}", status, other);
            }
            (Reply::Fail(FailureKind::OpaqueRedirect), Err(CallError::Redirect(r))) => {
                prop_assert_eq!(r.status, None);
                prop_assert_eq!(r.location.clone(), None);
            }
            (Reply::Status(status, _), Err(e)) => {
                prop_assert!(!(200..300).contains(status));
                prop_assert_eq!(e.api().unwrap().status, *status);
            }
            (Reply::Fail(kind), Err(CallError::Transport(f))) => prop_assert_eq!(f.kind, *kind),
            (reply, output) => prop_assert!(false, "{:?} gave {:?}", reply, output),
        }
    }

    #[test]
    fn pages_walk_every_item_once_and_end(
        total in 0u64..60,
        rpp in 1u64..12,
        with_links in any::<bool>(),
    ) {
        let client = client();
        let first = Request::get("/v3/accounts").with_query("rpp", rpp.to_string());
        let mut pages: Pages<Value> = Pages::new(&client, first, CallOptions::default());
        let mut seen = Vec::new();
        let mut requested = Vec::new();
        let mut polls = 0;
        loop {
            polls += 1;
            prop_assert!(polls < 1_000, "paging did not end");
            match pages.poll(&client, 1_700_000_000_000, &format!("n{polls}")) {
                Step::Send(prepared) => {
                    let page: u64 = prepared
                        .url
                        .split("page=")
                        .nth(1)
                        .map_or(1, |p| p.split('&').next().unwrap().parse().unwrap());
                    requested.push(page);
                    let start = (page - 1) * rpp;
                    let items: Vec<Value> = (start..total.min(start + rpp)).map(|i| json!(i)).collect();
                    let body = if with_links {
                        let next = (page * rpp < total).then(|| json!({"page": page + 1}));
                        json!({"results": items, "links": {"next": next}})
                    } else {
                        json!({"results": items, "total": total})
                    };
                    pages.handle(Ok(Response::new(200, vec![], body.to_string())), 0, 0.5);
                }
                Step::Wait(_) => prop_assert!(false, "no wait without a failure"),
                Step::Output(page) => seen.extend(page.unwrap().items),
                Step::Finished => break,
            }
        }
        let expected: Vec<Value> = (0..total).map(|i| json!(i)).collect();
        prop_assert_eq!(seen, expected);
        prop_assert_eq!(requested.len() as u64, total.div_ceil(rpp).max(1));
    }

    #[test]
    fn pages_move_forward_whatever_the_server_says(
        bodies in proptest::collection::vec(
            (0usize..4, proptest::option::of(0u64..8), proptest::option::of(0u64..30)),
            1..20,
        ),
    ) {
        let client = client();
        let mut pages: Pages<Value> =
            Pages::new(&client, Request::get("/v3/accounts").with_query("rpp", "3"), CallOptions::default());
        let mut requested: Vec<u64> = Vec::new();
        let mut replies = bodies.iter().cycle();
        for i in 0..200 {
            match pages.poll(&client, 1_700_000_000_000, &format!("n{i}")) {
                Step::Send(prepared) => {
                    let page = prepared.url.split("page=").nth(1).map_or(1, |p| p.parse().unwrap());
                    requested.push(page);
                    let (count, next, total) = replies.next().unwrap();
                    let mut body = json!({"results": vec![0; *count]});
                    if let Some(next) = next {
                        body["links"] = json!({"next": {"page": next}});
                    }
                    if let Some(total) = total {
                        body["total"] = json!(total);
                    }
                    pages.handle(Ok(Response::new(200, vec![], body.to_string())), 0, 0.5);
                }
                Step::Output(_) | Step::Wait(_) => {}
                Step::Finished => break,
            }
        }
        // Page numbers strictly increase, so no page is fetched twice.
        // (A server that always has more is walked as long as the host asks.)
        prop_assert!(requested.windows(2).all(|w| w[0] < w[1]), "{:?}", requested);
    }
}

#[test]
fn a_redirect_is_a_typed_error_and_is_not_followed() {
    let client = client();
    let mut call: Call<Value> = Call::new(&client, Request::get("/v3/x"), CallOptions::default());
    let Step::Send(_) = call.poll(&client, 1, "a") else {
        panic!("expected a send")
    };
    let headers = vec![
        ("Location".to_owned(), "http://evil.example/".to_owned()),
        ("x-request-id".to_owned(), "r-1".to_owned()),
    ];
    call.handle(Ok(Response::new(302, headers, "")), 1, 0.5);
    let Step::Output(Err(e)) = call.poll(&client, 2, "b") else {
        panic!("expected an error")
    };
    assert_eq!(e.code(), "redirect");
    let CallError::Redirect(redirect) = &e else {
        panic!("expected a redirect, got {e:?}")
    };
    assert_eq!(redirect.status, Some(302));
    assert_eq!(redirect.location.as_deref(), Some("http://evil.example/"));
    assert_eq!(redirect.request_id.as_deref(), Some("r-1"));
    assert!(
        e.to_string().contains("HTTP 302, redirect not followed"),
        "{e}"
    );
    assert!(e.api().is_none());
    assert_eq!(call.attempts(), 1);
    assert!(matches!(call.poll(&client, 3, "c"), Step::Finished));
}

#[test]
fn a_redirect_ends_the_call_even_for_a_decoder_that_keeps_every_response() {
    // Hosts that decode every status themselves (the command line) still get the redirect error.
    let client = client();
    let keep: fn(&Response) -> Result<u16, zephr_admin::Error> = |r| Ok(r.status);
    for outcome in [
        Ok(Response::new(307, vec![], "")),
        Err(TransportFailure::new(FailureKind::OpaqueRedirect, "opaque")),
    ] {
        let mut call = Call::with_decoder(
            &client,
            Request::post("/v3/users"),
            CallOptions::default(),
            keep,
        );
        let Step::Send(_) = call.poll(&client, 1, "a") else {
            panic!("expected a send")
        };
        call.handle(outcome, 1, 0.5);
        assert!(call.last_retry().is_none());
        let Step::Output(Err(e)) = call.poll(&client, 2, "b") else {
            panic!("expected an error")
        };
        assert_eq!(e.code(), "redirect");
        assert_eq!(call.attempts(), 1);
    }
}

#[test]
fn a_refused_connection_is_retried_even_for_post_but_a_timeout_is_not() {
    let client = client();
    let send = |call: &mut Call<Value>, now| match call.poll(&client, now, &format!("n{now}")) {
        Step::Send(_) => {}
        other => panic!("expected a send, got {other:?}"),
    };
    let mut call: Call<Value> = Call::new(&client, Request::post("/v3/x"), CallOptions::default());
    send(&mut call, 1);
    call.handle(
        Err(TransportFailure::new(FailureKind::Connect, "refused")),
        1,
        0.0,
    );
    assert_eq!(
        call.last_retry().unwrap().failure,
        Some(FailureKind::Connect)
    );
    send(&mut call, 2);
    call.handle(
        Err(TransportFailure::new(FailureKind::TimedOut, "slow")),
        2,
        0.0,
    );
    let Step::Output(Err(e)) = call.poll(&client, 3, "c") else {
        panic!("expected the timeout")
    };
    assert_eq!(e.code(), "timed_out");
    assert_eq!(call.attempts(), 2);
}

#[test]
fn bad_input_is_the_first_output_with_no_attempt() {
    let client = client();
    let mut call = Call::json(&client, "getUser", &json!({}), CallOptions::default());
    let Step::Output(Err(e)) = call.poll(&client, 1, "a") else {
        panic!("expected an input error")
    };
    assert_eq!(e.code(), "missing_param");
    assert_eq!(call.attempts(), 0);
    let mut call = Call::json(&client, "noSuchOp", &json!({}), CallOptions::default());
    let Step::Output(Err(e)) = call.poll(&client, 1, "a") else {
        panic!("expected an input error")
    };
    assert_eq!(e.code(), "unknown_operation");
}
