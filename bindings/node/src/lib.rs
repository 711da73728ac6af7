//! The napi-rs layer: conversion only, the same functions and handles with the
//! same semantics as the wasm-bindgen layer (`bindings/wasm`). Each export
//! moves its arguments into the protocol crate (`zephr-admin-js`) and its
//! answer back; nothing is decided here. Bodies cross as bytes (`Uint8Array`/`Buffer`, read in place).
#![deny(unsafe_code)]

mod utf8;

use napi::Env;
use napi::bindgen_prelude::Unknown;
use napi_derive::napi;
use zephr_admin_js::SignParts;

/// `signRequest`: the Authorization header value. Throws the error JSON text
/// (`{"err": ...}`, a string, as the wasm backend does) on bad input.
///
/// The hot path: the seven strings are read as UTF-8 into one stack buffer
/// (one Node-API call each, no allocation) and the body in place.
#[napi(
    js_name = "signRequest",
    ts_args_type = "accessKey: string, secretKey: string, method: string, path: string, query: string, body: Uint8Array, timestamp: string, nonce: string",
    ts_return_type = "string"
)]
#[allow(clippy::too_many_arguments)]
pub fn sign_request(
    env: Env,
    access_key: Unknown<'_>,
    secret_key: Unknown<'_>,
    method: Unknown<'_>,
    path: Unknown<'_>,
    query: Unknown<'_>,
    body: &[u8],
    timestamp: Unknown<'_>,
    nonce: Unknown<'_>,
) -> napi::Result<Option<String>> {
    let parts = [
        access_key, secret_key, method, path, query, timestamp, nonce,
    ];
    sign_with(&env, &parts, SignBody::Bytes(body))
}

/// `signRequestText`: `signRequest` with a text body, read as UTF-8 (lone
/// surrogates become U+FFFD, as with `TextEncoder`) into the same buffer.
#[napi(
    js_name = "signRequestText",
    ts_args_type = "accessKey: string, secretKey: string, method: string, path: string, query: string, body: string, timestamp: string, nonce: string",
    ts_return_type = "string"
)]
#[allow(clippy::too_many_arguments)]
pub fn sign_request_text(
    env: Env,
    access_key: Unknown<'_>,
    secret_key: Unknown<'_>,
    method: Unknown<'_>,
    path: Unknown<'_>,
    query: Unknown<'_>,
    body: Unknown<'_>,
    timestamp: Unknown<'_>,
    nonce: Unknown<'_>,
) -> napi::Result<Option<String>> {
    let parts = [
        access_key, secret_key, method, path, query, timestamp, nonce,
    ];
    sign_with(&env, &parts, SignBody::Text(body))
}

/// The body of a request to sign, as the host passed it.
enum SignBody<'a> {
    Bytes(&'a [u8]),
    Text(Unknown<'a>),
}

/// Signs the parts `[accessKey, secretKey, method, path, query, timestamp, nonce]`.
fn sign_with(
    env: &Env,
    parts: &[Unknown<'_>; 7],
    body: SignBody<'_>,
) -> napi::Result<Option<String>> {
    // The secret key passes through this buffer: zeroed when the call ends.
    let mut scratch = utf8::SecretScratch::new();
    let mut reader = utf8::Reader::new(env, &mut scratch.0[..]);
    let [
        access_key,
        secret_key,
        method,
        path,
        query,
        timestamp,
        nonce,
    ] = parts;
    let access_key = reader.read(access_key)?;
    let secret_key = reader.read(secret_key)?;
    let method = reader.read(method)?;
    let path = reader.read(path)?;
    let query = reader.read(query)?;
    let timestamp = reader.read(timestamp)?;
    let nonce = reader.read(nonce)?;
    let text;
    let body = match body {
        SignBody::Bytes(bytes) => bytes,
        SignBody::Text(value) => {
            text = reader.read(&value)?;
            text.as_bytes()
        }
    };
    let signed = zephr_admin_js::sign_request(&SignParts {
        access_key: &access_key,
        secret_key: &secret_key,
        method: &method,
        path: &path,
        query: &query,
        body,
        timestamp: &timestamp,
        nonce: &nonce,
    });
    match signed {
        Ok(header) => Ok(Some(header)),
        Err(error) => {
            // A thrown string, not an Error object: the same contract as wasm.
            env.throw(error)?;
            Ok(None)
        }
    }
}

/// `prepareRequest`: `{"ok": Descriptor}` or `{"err": ErrorData}`.
#[napi(js_name = "prepareRequest")]
pub fn prepare_request(operation_id: String, params: String, options: String) -> String {
    // The options carry the credentials: zeroed when the call ends.
    let options = zeroize::Zeroizing::new(options);
    zephr_admin_js::prepare(&operation_id, &params, &options)
}

/// A client for `prepareRequest`, made once from the options' parts and kept
/// by the JavaScript side while they stay the same.
#[napi]
pub struct Preparer {
    inner: zephr_admin_js::Preparer,
}

#[napi]
impl Preparer {
    /// A client from `accessKey`, `secretKey`, `tenant`, `baseUrl`, `clockOffsetMs`.
    #[napi(constructor)]
    pub fn new(
        access_key: String,
        secret_key: String,
        tenant: Option<String>,
        base_url: Option<String>,
        clock_offset_ms: Option<f64>,
    ) -> Self {
        // The secret key: zeroed once copied into the client.
        let secret_key = zeroize::Zeroizing::new(secret_key);
        Preparer {
            inner: zephr_admin_js::Preparer::new(
                &access_key,
                &secret_key,
                tenant,
                base_url,
                clock_offset_ms,
            ),
        }
    }

    /// The signed request as lines (`descriptor_lines`); throws the error
    /// JSON text on bad input. Strings are read as in `signRequest`.
    #[napi(
        ts_args_type = "operationId: string, params: string, timestampMs: number, nonce: string",
        ts_return_type = "string"
    )]
    pub fn prepare(
        &self,
        env: Env,
        operation_id: Unknown<'_>,
        params: Unknown<'_>,
        timestamp_ms: f64,
        nonce: Unknown<'_>,
    ) -> napi::Result<Option<String>> {
        let mut scratch = [0u8; utf8::SCRATCH];
        let mut reader = utf8::Reader::new(&env, &mut scratch[..]);
        let operation_id = reader.read(&operation_id)?;
        let nonce = reader.read(&nonce)?;
        let params = reader.read(&params)?;
        match self
            .inner
            .prepare(&operation_id, &params, timestamp_ms, &nonce)
        {
            Ok(lines) => Ok(Some(lines)),
            Err(error) => {
                env.throw(error)?;
                Ok(None)
            }
        }
    }
}

/// `parseResponse`: `{"ok": value, "requestId": id | null}` or `{"err": ErrorData}`.
#[napi(js_name = "parseResponse")]
pub fn parse_response(operation_id: String, status: f64, headers: String, body: &[u8]) -> String {
    zephr_admin_js::parse_response(&operation_id, status, &headers, body.to_vec())
}

/// A client made once from its options; `error()` reports invalid options.
#[napi]
pub struct ClientHandle {
    inner: zephr_admin_js::ClientHandle,
}

#[napi]
impl ClientHandle {
    /// A client from its options (JSON text).
    #[napi(constructor)]
    pub fn new(options: String) -> Self {
        let options = zeroize::Zeroizing::new(options);
        ClientHandle {
            inner: zephr_admin_js::ClientHandle::new(&options),
        }
    }

    /// `{"err": ...}` text when the options are invalid.
    #[napi]
    pub fn error(&self) -> Option<String> {
        self.inner.error()
    }

    /// A call of an operation: params and settings as JSON text.
    #[napi]
    pub fn call(&self, operation_id: String, params: String, settings: String) -> CallHandle {
        CallHandle {
            inner: self.inner.call(&operation_id, &params, &settings),
        }
    }
}

/// One call that the JavaScript client pumps.
#[napi]
pub struct CallHandle {
    inner: zephr_admin_js::CallHandle,
}

#[napi]
impl CallHandle {
    /// The next step (JSON text).
    #[napi]
    pub fn poll(&mut self, now_ms: f64, nonce: String) -> String {
        self.inner.poll(now_ms, &nonce)
    }

    /// Reports the outcome of the request sent; answers the retry decided, if any.
    #[napi]
    pub fn handle(&mut self, outcome: String, body: &[u8], now_ms: f64, jitter: f64) -> String {
        self.inner.handle(&outcome, body.to_vec(), now_ms, jitter)
    }

    /// The largest response body to read.
    #[napi(js_name = "maxResponseBytes")]
    pub fn max_response_bytes(&self) -> f64 {
        self.inner.max_response_bytes()
    }
}

/// `verifyWebhook`: `WebhookAnswer<WebhookEventData>` (JSON text).
/// `authorization` is `undefined`/`null` when the delivery has no such header.
#[napi(js_name = "verifyWebhook")]
pub fn verify_webhook(
    options: String,
    authorization: Option<String>,
    body: &[u8],
    now_ms: f64,
) -> String {
    // The options carry the credentials: zeroed when the call ends.
    let options = zeroize::Zeroizing::new(options);
    zephr_admin_js::webhook::verify_webhook(&options, authorization.as_deref(), body, now_ms)
}

/// `testWebhookRequest`: `WebhookAnswer<TestDeliveryData>` (JSON text).
#[napi(js_name = "testWebhookRequest")]
pub fn test_webhook_request(options: String, event: String, method: String) -> String {
    let options = zeroize::Zeroizing::new(options);
    zephr_admin_js::webhook::test_webhook_request(&options, &event, &method)
}
