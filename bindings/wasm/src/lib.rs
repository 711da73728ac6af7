//! The wasm-bindgen layer: conversion only. Each export moves its arguments
//! into `zephr_admin::host::text` and its answer back; nothing is decided here.

use wasm_bindgen::prelude::*;
use zephr_admin::host::{SignParts, text};

/// `signRequest`: the Authorization header value. Throws the error JSON text
/// (`{"err": ...}`) on bad input.
#[wasm_bindgen(js_name = signRequest)]
#[allow(clippy::too_many_arguments)]
pub fn sign_request(
    access_key: &str,
    secret_key: &str,
    method: &str,
    path: &str,
    query: &str,
    body: &[u8],
    timestamp: &str,
    nonce: &str,
) -> Result<String, String> {
    text::sign(&SignParts {
        access_key,
        secret_key,
        method,
        path,
        query,
        body,
        timestamp,
        nonce,
    })
}

/// `prepareRequest`: `{"ok": {method, url, headers, body}}` or `{"err": ...}`.
#[wasm_bindgen(js_name = prepareRequest)]
pub fn prepare_request(operation_id: &str, params: &str, options: &str) -> String {
    text::prepare(operation_id, params, options)
}

/// `parseResponse`: `{"ok": value, "next": params | null}` or `{"err": ...}`.
#[wasm_bindgen(js_name = parseResponse)]
pub fn parse_response(
    operation_id: &str,
    status: f64,
    headers: &str,
    body: Vec<u8>,
    params: &str,
) -> String {
    text::parse_response(operation_id, status, headers, body, params)
}

/// `retryDelay`: milliseconds before the next attempt, or -1 to stop.
#[wasm_bindgen(js_name = retryDelay)]
pub fn retry_delay(
    method: &str,
    status: u16,
    retry_after: &str,
    retries: u32,
    jitter: f64,
    now_ms: f64,
    max_retries: u32,
) -> f64 {
    text::retry_delay(
        method,
        status,
        retry_after,
        retries,
        jitter,
        now_ms,
        max_retries,
    )
}

/// `verifyWebhook`: `{"ok": event}` or `{"err": {code, message, ...}}`.
/// `authorization` is `undefined` when the delivery has no such header.
#[wasm_bindgen(js_name = verifyWebhook)]
pub fn verify_webhook(
    options: &str,
    authorization: Option<String>,
    body: &[u8],
    now_ms: f64,
) -> String {
    zephr_admin::webhook::text::verify(options, authorization.as_deref(), body, now_ms)
}

/// `testWebhookRequest`: `{"ok": {method, headers, body}}` or `{"err": ...}`.
#[wasm_bindgen(js_name = testWebhookRequest)]
pub fn test_webhook_request(options: &str, event: &str, method: &str) -> String {
    zephr_admin::webhook::text::test_request(options, event, method)
}
