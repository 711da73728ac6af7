//! Replay protection under load, over HTTP: nonces stay spent for as long as
//! their timestamps are inside the window, refused requests spend nothing,
//! and a full nonce store answers 503 rather than forgetting.

#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use common::{Emu, demo_authorization, start_with};
use zephr_emulator::{Config, FAULT_HEADER};

const MAX_NONCES: usize = 40;

fn send(emu: &Emu, method: &str, path: &str, query: &str, header: &str) -> common::Answer {
    emu.raw(method, path, query, &[("authorization", header)], b"")
}

#[test]
fn refused_requests_spend_nothing_and_a_full_store_refuses_instead_of_forgetting() {
    let emu = start_with(Config {
        max_nonces: MAX_NONCES,
        ..Config::default()
    });

    // Refused requests, more of them than the store holds: none may take an entry.
    for _ in 0..MAX_NONCES {
        // Signed for another path: 401 signature.
        let forged = demo_authorization("GET", "/v3/accounts", "", b"");
        assert_eq!(
            send(&emu, "GET", "/v3/products", "", &forged).check(),
            "signature"
        );
    }
    // Validly signed but invalid (page 0): 400, and its nonce is not spent, so
    // the very same request is answered 400 again, not 401 nonce.
    let invalid = demo_authorization("GET", "/v3/accounts", "page=0", b"");
    for _ in 0..MAX_NONCES {
        assert_eq!(
            send(&emu, "GET", "/v3/accounts", "page=0", &invalid).status,
            400
        );
    }
    // Refused by an injected 429: nothing acted, nothing spent.
    let limited = demo_authorization("GET", "/v3/products", "", b"");
    for _ in 0..MAX_NONCES {
        let answer = emu.raw(
            "GET",
            "/v3/products",
            "",
            &[("authorization", &limited), (FAULT_HEADER, "429")],
            b"",
        );
        assert_eq!(answer.status, 429);
    }

    // A flood of valid requests fills the store exactly; the first is captured.
    let captured = demo_authorization("GET", "/v3/products", "", b"");
    assert_eq!(send(&emu, "GET", "/v3/products", "", &captured).status, 200);
    for i in 1..MAX_NONCES {
        let answer = emu.signed("GET", "/v3/products", "", b"");
        assert_eq!(answer.status, 200, "request {i} of the flood");
    }

    // Full: a fresh request is refused with 503 and a Retry-After...
    let refused = emu.signed("GET", "/v3/products", "", b"");
    assert_eq!(refused.status, 503);
    assert_eq!(refused.json()["error"], "nonce_store_full");
    let retry_after: u64 = refused.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=301).contains(&retry_after), "{retry_after}");
    // ...and no nonce was forgotten to make room: the captured request is a replay.
    assert_eq!(
        send(&emu, "GET", "/v3/products", "", &captured).check(),
        "nonce"
    );
    // The 429'd request was never acted on, so it was not spent either; but the
    // store is full, so now it waits like any other.
    assert_eq!(send(&emu, "GET", "/v3/products", "", &limited).status, 503);
}

#[test]
fn a_body_on_an_operation_that_takes_none_is_refused_without_spending_the_nonce() {
    let emu = start_with(Config::default());
    // Signed correctly, but DELETE takes no body (a length-extension forgery
    // would have to carry one): 400, and since nothing acted, 400 again.
    let body = b"{\"padding\":\"\"}";
    let header = demo_authorization("DELETE", "/v3/users/u1", "", body);
    for _ in 0..2 {
        let answer = emu.raw(
            "DELETE",
            "/v3/users/u1",
            "",
            &[("authorization", &header)],
            body,
        );
        assert_eq!(answer.status, 400);
        assert!(
            answer.json()["message"]
                .as_str()
                .unwrap()
                .contains("takes no request body"),
            "{}",
            String::from_utf8_lossy(&answer.body)
        );
    }
}
