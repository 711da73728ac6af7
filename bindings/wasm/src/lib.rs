//! The wasm-bindgen layer: conversion only. Every function takes strings,
//! numbers and bytes, calls `zephr_admin::host`, and answers one JSON text:
//! `{"ok": value}` or `{"err": {code, message, ...}}`. Nothing throws across
//! the boundary and no decision is made here.

use serde_json::{Value, json};
use wasm_bindgen::prelude::*;
use zephr_admin::host::{self, ClientOptions};
use zephr_admin::{Error, InputErrorKind, Response, RetryPolicy};

fn ok(value: Value) -> String {
    json!({ "ok": value }).to_string()
}

fn err(error: &Error) -> String {
    json!({ "err": host::error_json(error) }).to_string()
}

fn answer(result: Result<Value, Error>) -> String {
    match result {
        Ok(value) => ok(value),
        Err(e) => err(&e),
    }
}

/// JSON text from the JS side; malformed text is an input error, not a panic.
fn parse<T: serde::de::DeserializeOwned>(text: &str, what: &str) -> Result<T, Error> {
    serde_json::from_str(text)
        .map_err(|e| host::invalid_input(InputErrorKind::InvalidParam, &format!("{what}: {e}")))
}

/// `signRequest`: the Authorization header value. The hot path takes its
/// parts directly and throws the error JSON text (rare) instead of wrapping
/// every answer.
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
    let parts = host::SignParts {
        access_key,
        secret_key,
        method,
        path,
        query,
        body,
        timestamp,
        nonce,
    };
    host::sign_parts(&parts).map_err(|e| err(&e))
}

/// `prepareRequest`: `{method, url, headers, body}` with the body as text.
#[wasm_bindgen(js_name = prepareRequest)]
pub fn prepare_request(operation_id: &str, params: &str, options: &str) -> String {
    answer((|| {
        let params: Value = parse(params, "params")?;
        let options: ClientOptions = parse(options, "options")?;
        let prepared = host::prepare_request(operation_id, &params, &options)?;
        Ok(host::descriptor_json(&prepared))
    })())
}

/// `parseResponse`: the decoded answer and, when `params` is not empty, the
/// next page's parameters (`{"ok": value, "next": params|null}`).
#[wasm_bindgen(js_name = parseResponse)]
pub fn parse_response(
    operation_id: &str,
    status: u16,
    headers: &str,
    body: Vec<u8>,
    params: &str,
) -> String {
    let result = (|| {
        let headers: Vec<(String, String)> = parse(headers, "headers")?;
        let params: Option<Value> = if params.is_empty() {
            None
        } else {
            Some(parse(params, "params")?)
        };
        host::parse_page(
            operation_id,
            &Response::new(status, headers, body),
            params.as_ref(),
        )
    })();
    match result {
        // The value is JSON text already: splice it in rather than re-encode it.
        Ok((value, next)) => format!(
            "{{\"ok\":{value},\"next\":{}}}",
            next.unwrap_or(Value::Null)
        ),
        Err(e) => err(&e),
    }
}

/// `retryDelay`: milliseconds to wait before retrying, or -1 to stop.
/// `status` is 0 for a transport error; `retry_after` is empty when absent.
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
    let policy = RetryPolicy {
        max_retries,
        ..RetryPolicy::default()
    };
    let status = (status != 0).then_some(status);
    let retry_after = (!retry_after.is_empty()).then_some(retry_after);
    let now_ms = zephr_admin::timestamp_from_f64(now_ms.floor()).unwrap_or(0);
    host::retry_delay(
        &policy,
        method,
        status,
        retry_after,
        retries,
        jitter,
        now_ms,
    )
    .map_or(-1.0, |ms| ms as f64)
}
