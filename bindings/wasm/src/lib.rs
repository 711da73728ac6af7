//! The wasm-bindgen layer: conversion only. Each export moves its arguments
//! into the protocol crate (`zephr-admin-js`) and its answer back; nothing is
//! decided here.

use wasm_bindgen::prelude::*;
use zephr_admin_js::SignParts;

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
    zephr_admin_js::sign_request(&SignParts {
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

/// `prepareRequest`: `{"ok": Descriptor}` or `{"err": ErrorData}`.
#[wasm_bindgen(js_name = prepareRequest)]
pub fn prepare_request(operation_id: &str, params: &str, options: &str) -> String {
    zephr_admin_js::prepare(operation_id, params, options)
}

/// A client for `prepareRequest`, made once from the options' parts and kept
/// by the JavaScript side while they stay the same.
#[wasm_bindgen]
pub struct Preparer(zephr_admin_js::Preparer);

#[wasm_bindgen]
impl Preparer {
    /// A client from `accessKey`, `secretKey`, `tenant`, `baseUrl`, `clockOffsetMs`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        access_key: &str,
        secret_key: &str,
        tenant: Option<String>,
        base_url: Option<String>,
        clock_offset_ms: Option<f64>,
    ) -> Preparer {
        Preparer(zephr_admin_js::Preparer::new(
            access_key,
            secret_key,
            tenant,
            base_url,
            clock_offset_ms,
        ))
    }

    /// The signed request as lines (`descriptor_lines`); throws the error
    /// JSON text on bad input.
    pub fn prepare(
        &self,
        operation_id: &str,
        params: &str,
        timestamp_ms: f64,
        nonce: &str,
    ) -> Result<String, String> {
        self.0.prepare(operation_id, params, timestamp_ms, nonce)
    }
}

/// `parseResponse`: `{"ok": value, "requestId": id | null}` or `{"err": ErrorData}`.
#[wasm_bindgen(js_name = parseResponse)]
pub fn parse_response(operation_id: &str, status: f64, headers: &str, body: Vec<u8>) -> String {
    zephr_admin_js::parse_response(operation_id, status, headers, body)
}

/// A client made once from its options; `error()` reports invalid options.
#[wasm_bindgen]
pub struct ClientHandle(zephr_admin_js::ClientHandle);

#[wasm_bindgen]
impl ClientHandle {
    /// A client from its options (JSON text).
    #[wasm_bindgen(constructor)]
    pub fn new(options: &str) -> ClientHandle {
        ClientHandle(zephr_admin_js::ClientHandle::new(options))
    }

    /// `{"err": ...}` text when the options are invalid.
    pub fn error(&self) -> Option<String> {
        self.0.error()
    }

    /// A call of an operation: params and settings as JSON text.
    pub fn call(&self, operation_id: &str, params: &str, settings: &str) -> CallHandle {
        CallHandle(self.0.call(operation_id, params, settings))
    }
}

/// One call that the JavaScript client pumps.
#[wasm_bindgen]
pub struct CallHandle(zephr_admin_js::CallHandle);

#[wasm_bindgen]
impl CallHandle {
    /// The next step (JSON text).
    pub fn poll(&mut self, now_ms: f64, nonce: &str) -> String {
        self.0.poll(now_ms, nonce)
    }

    /// Reports the outcome of the request sent; answers the retry decided, if any.
    pub fn handle(&mut self, outcome: &str, body: Vec<u8>, now_ms: f64, jitter: f64) -> String {
        self.0.handle(outcome, body, now_ms, jitter)
    }

    /// The largest response body to read.
    #[wasm_bindgen(js_name = maxResponseBytes)]
    pub fn max_response_bytes(&self) -> f64 {
        self.0.max_response_bytes()
    }
}

/// `verifyWebhook`: `WebhookAnswer<WebhookEventData>` (JSON text).
/// `authorization` is `undefined` when the delivery has no such header.
#[wasm_bindgen(js_name = verifyWebhook)]
pub fn verify_webhook(
    options: &str,
    authorization: Option<String>,
    body: &[u8],
    now_ms: f64,
) -> String {
    zephr_admin_js::webhook::verify_webhook(options, authorization.as_deref(), body, now_ms)
}

/// `testWebhookRequest`: `WebhookAnswer<TestDeliveryData>` (JSON text).
#[wasm_bindgen(js_name = testWebhookRequest)]
pub fn test_webhook_request(options: &str, event: &str, method: &str) -> String {
    zephr_admin_js::webhook::test_webhook_request(options, event, method)
}
