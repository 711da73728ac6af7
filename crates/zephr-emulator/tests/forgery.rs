//! A SHA-256 length-extension forgery against the emulator over HTTP: from
//! one captured `GET /v3/users/{id}` header, a `DELETE` of the same user with
//! a fresh timestamp and nonce, whose hash is valid for the demo secret. The
//! emulator refuses it with 401 (the body cannot be text), the user survives,
//! and the forgery's nonce is still free for an honest request.

#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

mod common;

#[path = "../../zephr-admin/tests/support/forge.rs"]
mod forge;

use common::{authorization, fresh_nonce, now_ms, start};
use serde_json::json;
use zephr_emulator::{DEMO_ACCESS_KEY, DEMO_SECRET_KEY};

#[test]
fn a_length_extension_forgery_is_refused_with_401_and_spends_no_nonce() {
    let emu = start();
    let created = emu.json(
        "POST",
        "/v3/users",
        "",
        &json!({"identifiers": {"email_address": "forged@example.com"}}),
    );
    assert_eq!(created.status, 201);
    let user = created.json()["data"]["user_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/v3/users/{user}");

    // The captured request, sent once as its owner did.
    let (timestamp, nonce) = (now_ms().to_string(), fresh_nonce());
    let captured = authorization(
        DEMO_ACCESS_KEY,
        DEMO_SECRET_KEY,
        "GET",
        &path,
        "",
        b"",
        &timestamp,
        &nonce,
    );
    let answer = emu.raw("GET", &path, "", &[("authorization", &captured)], b"");
    assert_eq!(answer.status, 200);

    // The forgery: only the header, the request and the secret's length are used.
    let hash = captured.rsplit(':').next().unwrap();
    let signed = forge::signed_bytes(b"", &path, "", "GET", &timestamp, &nonce);
    let (new_timestamp, new_nonce) = (now_ms().to_string(), fresh_nonce());
    let suffix = forge::signed_bytes(b"", &path, "", "DELETE", &new_timestamp, &new_nonce);
    let forgery = forge::extend(hash, DEMO_SECRET_KEY.len(), &signed, b"", &suffix);
    let forged = format!(
        "ZEPHR-HMAC-SHA256 {DEMO_ACCESS_KEY}:{new_timestamp}:{new_nonce}:{}",
        forgery.hash
    );
    // It is exactly what the secret's holder would sign: a hash check alone passes it.
    assert_eq!(
        forged,
        authorization(
            DEMO_ACCESS_KEY,
            DEMO_SECRET_KEY,
            "DELETE",
            &path,
            "",
            &forgery.body,
            &new_timestamp,
            &new_nonce,
        )
    );
    let answer = emu.raw(
        "DELETE",
        &path,
        "",
        &[("authorization", &forged)],
        &forgery.body,
    );
    assert_eq!(answer.check(), "signature");

    // The user is still there, read with the forgery's timestamp and nonce:
    // the refused request did not spend them.
    let honest = authorization(
        DEMO_ACCESS_KEY,
        DEMO_SECRET_KEY,
        "GET",
        &path,
        "",
        b"",
        &new_timestamp,
        &new_nonce,
    );
    let answer = emu.raw("GET", &path, "", &[("authorization", &honest)], b"");
    assert_eq!(
        answer.status,
        200,
        "{}",
        String::from_utf8_lossy(&answer.body)
    );
    assert!(answer.json().to_string().contains(&user));
}
