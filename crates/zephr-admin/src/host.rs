//! The JSON-shaped entry points that the JavaScript bindings expose.
//!
//! Both bindings (napi and wasm) only convert values to and from these
//! functions, so every decision (validation, defaults, envelope handling,
//! retry, paging, error shape) is made here once.

use serde_json::{Map, Value, json};
use zeroize::Zeroizing;

use crate::env::{parse_timestamp, timestamp_from_f64};
use crate::error::DecodeError;
use crate::error::{Error, InputErrorKind};
use crate::operation::Pagination;
use crate::operation::{ResponseKind, require_operation};
use crate::pagination::{PageSummary, next_page_after};
use crate::request::{Client, PreparedRequest};
use crate::response::{List, Response};
use crate::retry::{Outcome, RetryDecision, RetryPolicy};
use crate::sign::{SignableRequest, sign};
use crate::url::BaseUrl;
use crate::{Credentials, Env};
use serde_json::value::RawValue;

/// Milliseconds since the epoch from a JSON number or decimal text.
fn timestamp_millis(value: &Value) -> Result<u64, Error> {
    match value {
        Value::Number(n) => match n.as_u64() {
            Some(ms) => Ok(ms),
            None => timestamp_from_f64(n.as_f64().unwrap_or(-1.0)),
        },
        Value::String(text) => parse_timestamp(text),
        _ => Err(Error::input(
            InputErrorKind::InvalidTimestamp,
            "the timestamp must be a number or a decimal string of milliseconds since the Unix epoch",
        )),
    }
}

/// `signRequest` input: every part as the host has it, the timestamp as decimal text.
/// `Debug` shows every part but the secret key.
#[derive(Clone, Copy)]
pub struct SignParts<'a> {
    /// Access key.
    pub access_key: &'a str,
    /// Secret key.
    pub secret_key: &'a str,
    /// HTTP method.
    pub method: &'a str,
    /// Path as sent.
    pub path: &'a str,
    /// Query as sent, without `?`.
    pub query: &'a str,
    /// Body bytes as sent.
    pub body: &'a [u8],
    /// Milliseconds since the epoch, decimal.
    pub timestamp: &'a str,
    /// Nonce.
    pub nonce: &'a str,
}

impl std::fmt::Debug for SignParts<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignParts")
            .field("access_key", &self.access_key)
            .field("secret_key", &"<redacted>")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("query", &self.query)
            .field("body", &self.body)
            .field("timestamp", &self.timestamp)
            .field("nonce", &self.nonce)
            .finish()
    }
}

/// The Authorization header value for raw request parts.
///
/// ```
/// use zephr_admin::host::{SignParts, sign_parts};
///
/// let parts = SignParts {
///     access_key: "ak", secret_key: "sk", method: "GET", path: "/v3/users", query: "",
///     body: b"", timestamp: "1700000000000", nonce: "n1",
/// };
/// assert!(sign_parts(&parts)?.starts_with("ZEPHR-HMAC-SHA256 ak:1700000000000:n1:"));
/// # Ok::<(), zephr_admin::Error>(())
/// ```
pub fn sign_parts(parts: &SignParts<'_>) -> Result<String, Error> {
    let credentials = Credentials::new(parts.access_key, parts.secret_key)?;
    let request = SignableRequest {
        method: parts.method,
        path: parts.path,
        query: parts.query,
        body: parts.body,
    };
    Ok(sign(
        &credentials,
        &request,
        parse_timestamp(parts.timestamp)?,
        parts.nonce,
    )?
    .into_authorization())
}

/// `prepareRequest` options: credentials, target, and optionally a fixed time and nonce.
pub struct ClientOptions {
    /// Access key.
    pub access_key: String,
    /// Secret key (zeroed on drop).
    pub secret_key: Zeroizing<String>,
    /// Tenant id (`https://{tenant}.api.zephr.com`).
    pub tenant: Option<String>,
    /// Any `http(s)://` base URL.
    pub base_url: Option<String>,
    /// Signing time, milliseconds as a number or decimal text [default: the system clock].
    pub timestamp: Option<Value>,
    /// Nonce [default: 128 random bits].
    pub nonce: Option<String>,
    /// Added to the clock when signing.
    pub clock_offset_ms: Option<f64>,
}

/// An `invalid_options` error. Callers pass messages built from option names
/// only: the options hold the secret key, so no value may reach a message.
fn invalid_options(message: String) -> Error {
    Error::input(InputErrorKind::InvalidOptions, message)
}

/// The members of a JSON object, each value left as raw text (borrowed, not copied).
type RawMembers<'a> = std::collections::HashMap<String, &'a RawValue>;

/// An optional member; JSON `null` counts as absent.
fn member<T: serde::de::DeserializeOwned>(
    members: &RawMembers<'_>,
    name: &str,
    expected: &str,
) -> Result<Option<T>, Error> {
    match members.get(name) {
        None => Ok(None),
        Some(raw) => serde_json::from_str::<Option<T>>(raw.get())
            .map_err(|_| invalid_options(format!("options: `{name}` must be {expected}"))),
    }
}

/// A required member.
fn required<T: serde::de::DeserializeOwned>(
    members: &RawMembers<'_>,
    name: &str,
    expected: &str,
) -> Result<T, Error> {
    member(members, name, expected)?
        .ok_or_else(|| invalid_options(format!("options: missing field `{name}`")))
}

impl ClientOptions {
    /// The options from JSON text (an object with camelCase members; unknown
    /// members are ignored). Errors name the option and never quote a value.
    ///
    /// ```
    /// use zephr_admin::host::ClientOptions;
    ///
    /// let err = ClientOptions::from_json(r#"{"accessKey":"ak"}"#).err().unwrap();
    /// assert_eq!(err.to_string(), "invalid_options: options: missing field `secretKey`");
    /// let err = ClientOptions::from_json(r#"{"accessKey":"ak","secretKey":["s\"x"]}"#).err().unwrap();
    /// assert_eq!(err.to_string(), "invalid_options: options: `secretKey` must be a string");
    /// ```
    pub fn from_json(text: &str) -> Result<Self, Error> {
        let members: RawMembers<'_> = serde_json::from_str(text)
            .map_err(|_| invalid_options("options must be a JSON object".to_owned()))?;
        let string = "a string";
        let timestamp = "milliseconds as a number or a decimal string";
        Ok(Self {
            access_key: required(&members, "accessKey", string)?,
            secret_key: required(&members, "secretKey", string)?,
            tenant: member(&members, "tenant", string)?,
            base_url: member(&members, "baseUrl", string)?,
            timestamp: member::<Value>(&members, "timestamp", timestamp)?
                .map(|value| match value {
                    Value::Number(_) | Value::String(_) => Ok(value),
                    _ => Err(invalid_options(format!(
                        "options: `timestamp` must be {timestamp}"
                    ))),
                })
                .transpose()?,
            nonce: member(&members, "nonce", string)?,
            clock_offset_ms: member(&members, "clockOffsetMs", "a number")?,
        })
    }

    /// The client these options describe.
    pub fn client(&self) -> Result<Client, Error> {
        let base_url = match (&self.tenant, &self.base_url) {
            (Some(_), Some(_)) => {
                return Err(Error::input(
                    InputErrorKind::InvalidBaseUrl,
                    "give either tenant or baseUrl, not both",
                ));
            }
            (Some(tenant), None) => BaseUrl::tenant(tenant)?,
            (None, Some(url)) => BaseUrl::parse(url)?,
            (None, None) => {
                return Err(Error::input(
                    InputErrorKind::InvalidBaseUrl,
                    "give tenant or baseUrl",
                ));
            }
        };
        let offset = match self.clock_offset_ms {
            None => 0,
            Some(ms) if ms.is_finite() && ms.fract() == 0.0 && ms.abs() <= 9.0e15 => ms as i64,
            Some(_) => {
                return Err(invalid_options(
                    "options: `clockOffsetMs` must be a whole number of milliseconds".to_owned(),
                ));
            }
        };
        let credentials = Credentials::new(self.access_key.as_str(), self.secret_key.as_str())?;
        Ok(Client::new(credentials, base_url).with_clock_offset_ms(offset))
    }

    /// The signing environment: the fixed time and nonce where given, the system otherwise.
    pub fn env(&self) -> Result<Env, Error> {
        let now_ms = match &self.timestamp {
            Some(Value::Null) | None => crate::system_now_ms(),
            Some(ts) => timestamp_millis(ts)?,
        };
        let nonce = match &self.nonce {
            Some(nonce) => nonce.clone(),
            None => crate::random_nonce()?,
        };
        Ok(Env::new(now_ms, nonce))
    }
}

/// The signed request of an operation from parameters by documented name (the
/// body under `body`).
pub fn prepare_request(
    operation_id: &str,
    params: &Value,
    options: &ClientOptions,
) -> Result<PreparedRequest, Error> {
    let request = require_operation(operation_id)?.request_from_json(params)?;
    options.client()?.prepare(&request, &options.env()?)
}

/// A prepared request as `{method, url, headers: {name: value}, body: text | null}`.
/// Bodies built by the SDK are JSON or text, so they are always UTF-8.
pub fn descriptor_json(prepared: &PreparedRequest) -> Value {
    let headers: Map<String, Value> = prepared
        .headers
        .iter()
        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
        .collect();
    let body = if prepared.body.is_empty() {
        Value::Null
    } else {
        Value::String(String::from_utf8_lossy(&prepared.body).into_owned())
    };
    json!({ "method": prepared.method, "url": prepared.url, "headers": headers, "body": body })
}

/// An input error for values that arrive malformed from a host.
pub fn invalid_input(kind: InputErrorKind, message: &str) -> Error {
    Error::input(kind, message)
}

/// The decoded answer of an operation as JSON text, and, when `params` (those
/// of the request that was answered) are given, the parameters of the next
/// page if there is one. Non-2xx statuses and undecodable bodies are typed
/// errors.
///
/// Lists come back normalised, `{"results": [...], "total"?: n, ...other
/// members}`, whatever envelope the server used. The body is scanned once and
/// its elements are copied as they arrived: the host parses the text once.
pub fn parse_page(
    operation_id: &str,
    response: &Response,
    params: Option<&Value>,
) -> Result<(String, Option<Value>), Error> {
    let op = require_operation(operation_id)?;
    response.error_for_status()?;
    let decode_error = |message: String| {
        Error::Decode(DecodeError {
            status: response.status,
            message,
            body: response.body.clone(),
        })
    };
    let text = std::str::from_utf8(response.body.trim_ascii())
        .map_err(|e| decode_error(format!("the body is not UTF-8: {e}")))?;
    let text = if text.is_empty() { "null" } else { text };
    if op.response != ResponseKind::List {
        serde_json::from_str::<serde::de::IgnoredAny>(text)
            .map_err(|e| decode_error(format!("the body is not JSON: {e}")))?;
        return Ok((text.to_owned(), None));
    }
    let list: List<&RawValue> =
        serde_json::from_str(text).map_err(|e| decode_error(e.to_string()))?;
    let next = match params {
        Some(params) if op.pagination == Pagination::PageRpp => {
            let total = list.total.map(Value::from);
            let summary = PageSummary {
                items: Some(list.items.len()),
                total: total.as_ref(),
                meta: list.extra.get("meta"),
                links: list.extra.get("links"),
            };
            let request = op.request_from_json(params)?;
            next_page_after(&request, &summary).map(|next| {
                let page: u64 = next
                    .query_value("page")
                    .and_then(|p| p.parse().ok())
                    .unwrap_or(1);
                let mut params = params.as_object().cloned().unwrap_or_default();
                params.insert("page".to_owned(), json!(page));
                Value::Object(params)
            })
        }
        _ => None,
    };
    let mut out = String::with_capacity(text.len() + 32);
    out.push_str("{\"results\":[");
    for (i, item) in list.items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(item.get());
    }
    out.push(']');
    if let Some(total) = list.total {
        out.push_str(&format!(",\"total\":{total}"));
    }
    for (key, value) in &list.extra {
        out.push(',');
        out.push_str(&Value::String(key.clone()).to_string());
        out.push(':');
        out.push_str(&value.to_string());
    }
    out.push('}');
    Ok((out, next))
}

/// `RetryAfter(ms)` as `Some(ms)`, `Stop` as `None`. `status` is `None` for a
/// transport error (no response).
pub fn retry_delay(
    policy: &RetryPolicy,
    method: &str,
    status: Option<u16>,
    retry_after: Option<&str>,
    retries_so_far: u32,
    jitter: f64,
    now_ms: u64,
) -> Option<u64> {
    let outcome = match status {
        Some(status) => Outcome::Response {
            status,
            retry_after,
        },
        None => Outcome::TransportError,
    };
    match policy.decide(method, &outcome, retries_so_far, jitter, now_ms) {
        RetryDecision::RetryAfter(ms) => Some(ms),
        RetryDecision::Stop => None,
    }
}

/// An error as plain data: `code`, `message`, and where known `status`,
/// `requestId`, `hint` and the raw `body` (text).
pub fn error_json(error: &Error) -> Value {
    let mut out = Map::new();
    out.insert("code".into(), json!(error.code()));
    match error {
        Error::Input(e) => {
            out.insert("message".into(), json!(e.message));
        }
        Error::Api(e) => {
            out.insert("message".into(), json!(error.to_string()));
            out.insert("status".into(), json!(e.status));
            out.insert("requestId".into(), json!(e.request_id));
            out.insert("hint".into(), json!(e.hint()));
            out.insert("serverMessage".into(), json!(e.message));
            out.insert("body".into(), json!(e.body_text()));
        }
        Error::Decode(e) => {
            out.insert("message".into(), json!(error.to_string()));
            out.insert("status".into(), json!(e.status));
            out.insert("body".into(), json!(String::from_utf8_lossy(&e.body)));
        }
    }
    Value::Object(out)
}

/// The text protocol both JS bindings expose: strings, numbers and bytes in,
/// one JSON text out, `{"ok": value}` or `{"err": {code, message, ...}}`.
/// The bindings only move these values across their boundary.
pub mod text {
    use serde_json::{Value, json};

    use super::{ClientOptions, SignParts};
    use crate::error::{Error, InputErrorKind};
    use crate::response::Response;
    use crate::retry::RetryPolicy;

    /// `{"err": ...}` for an error.
    pub fn error(error: &Error) -> String {
        json!({ "err": super::error_json(error) }).to_string()
    }

    fn answer(result: Result<Value, Error>) -> String {
        match result {
            Ok(value) => json!({ "ok": value }).to_string(),
            Err(e) => error(&e),
        }
    }

    /// JSON text from the host; malformed text is an input error, not a panic.
    /// The message says where, never what: no value reaches it.
    fn parse<T: serde::de::DeserializeOwned>(
        text: &str,
        what: &str,
        expected: &str,
    ) -> Result<T, Error> {
        serde_json::from_str(text).map_err(|_| {
            Error::input(
                InputErrorKind::InvalidParam,
                format!("{what} must be {expected}"),
            )
        })
    }

    /// A status code from a host number.
    fn http_status(status: f64) -> Result<u16, Error> {
        if status.fract() == 0.0 && (100.0..=599.0).contains(&status) {
            Ok(status as u16)
        } else {
            Err(Error::input(
                InputErrorKind::InvalidStatus,
                "status must be a whole number from 100 to 599",
            ))
        }
    }

    /// `signRequest`: the header value, or the error text (which the bindings throw).
    pub fn sign(parts: &SignParts<'_>) -> Result<String, String> {
        super::sign_parts(parts).map_err(|e| error(&e))
    }

    /// `prepareRequest`: `{"ok": {method, url, headers, body}}`.
    pub fn prepare(operation_id: &str, params: &str, options: &str) -> String {
        answer((|| {
            let params: Value = parse(params, "params", "JSON text")?;
            let options = ClientOptions::from_json(options)?;
            Ok(super::descriptor_json(&super::prepare_request(
                operation_id,
                &params,
                &options,
            )?))
        })())
    }

    /// `parseResponse`: `{"ok": value, "next": params | null}`. `headers` is a
    /// JSON array of `[name, value]` pairs; `params` is empty when no next
    /// page is wanted.
    ///
    /// `status` arrives as the host's number: anything but a whole number in
    /// 100..=599 is an `invalid_status` error (never truncated or wrapped).
    pub fn parse_response(
        operation_id: &str,
        status: f64,
        headers: &str,
        body: Vec<u8>,
        params: &str,
    ) -> String {
        let result = (|| {
            let status = http_status(status)?;
            let headers: Vec<(String, String)> = parse(
                headers,
                "headers",
                "a JSON array of [name, value] string pairs",
            )?;
            let params: Option<Value> = if params.is_empty() {
                None
            } else {
                Some(parse(params, "params", "JSON text")?)
            };
            super::parse_page(
                operation_id,
                &Response::new(status, headers, body),
                params.as_ref(),
            )
        })();
        match result {
            // The value is JSON text already: spliced in, not re-encoded.
            Ok((value, next)) => format!(
                "{{\"ok\":{value},\"next\":{}}}",
                next.unwrap_or(Value::Null)
            ),
            Err(e) => error(&e),
        }
    }

    /// `retryDelay`: milliseconds to wait before retrying, or -1 to stop.
    /// `status` is 0 for a transport error; `retry_after` is empty when absent.
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
        let now_ms = crate::timestamp_from_f64(now_ms.floor()).unwrap_or(0);
        super::retry_delay(
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
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    const SECRET: &str = "s3cr3t-\\\"-value";

    fn err_message(answer: &str) -> (String, String) {
        let value: Value = serde_json::from_str(answer).unwrap();
        let err = &value["err"];
        (
            err["code"].as_str().unwrap().to_owned(),
            err["message"].as_str().unwrap().to_owned(),
        )
    }

    #[test]
    fn sign_parts_debug_hides_the_secret() {
        let parts = SignParts {
            access_key: "ak",
            secret_key: "top-secret-key",
            method: "GET",
            path: "/v3/users",
            query: "",
            body: b"",
            timestamp: "1700000000000",
            nonce: "n1",
        };
        let debug = format!("{parts:?}");
        assert!(!debug.contains("top-secret-key"), "{debug}");
        assert!(
            debug.contains("<redacted>") && debug.contains("ak"),
            "{debug}"
        );
    }

    #[test]
    fn option_errors_name_the_field_never_a_value() {
        let cases = [
            (
                r#"{"accessKey":"ak"}"#.to_owned(),
                "options: missing field `secretKey`",
            ),
            (
                r#"{"secretKey":"x"}"#.to_owned(),
                "options: missing field `accessKey`",
            ),
            // An escaped quote in a value used to end the scrubber's quote early.
            (
                json!({"accessKey": "ak", "secretKey": [SECRET]}).to_string(),
                "options: `secretKey` must be a string",
            ),
            (
                json!({"accessKey": {"k": SECRET}, "secretKey": SECRET}).to_string(),
                "options: `accessKey` must be a string",
            ),
            (
                json!({"accessKey": "ak", "secretKey": SECRET, "clockOffsetMs": SECRET})
                    .to_string(),
                "options: `clockOffsetMs` must be a number",
            ),
            (
                json!({"accessKey": "ak", "secretKey": SECRET, "timestamp": {"t": SECRET}})
                    .to_string(),
                "options: `timestamp` must be milliseconds as a number or a decimal string",
            ),
            (
                json!({"accessKey": "ak", "secretKey": SECRET, "tenant": "t", "clockOffsetMs": 1.5})
                    .to_string(),
                "options: `clockOffsetMs` must be a whole number of milliseconds",
            ),
            (json!(SECRET).to_string(), "options must be a JSON object"),
            ("null".to_owned(), "options must be a JSON object"),
            (
                format!("{{\"secretKey\":\"{SECRET}"),
                "options must be a JSON object",
            ),
        ];
        for (options, expected) in cases {
            let (code, message) = err_message(&text::prepare("listAccounts", "{}", &options));
            assert_eq!(
                (code.as_str(), message.as_str()),
                ("invalid_options", expected)
            );
            assert!(!message.contains("s3cr3t"), "{message}");
        }
    }

    #[test]
    fn statuses_outside_the_http_range_are_refused_not_wrapped() {
        for status in [
            65736.0,
            0.0,
            99.0,
            600.0,
            200.5,
            f64::NAN,
            f64::INFINITY,
            -200.0,
        ] {
            let (code, _) = err_message(&text::parse_response(
                "listAccounts",
                status,
                "[]",
                b"[]".to_vec(),
                "",
            ));
            assert_eq!(code, "invalid_status", "{status}");
        }
        let ok: Value = serde_json::from_str(&text::parse_response(
            "listAccounts",
            200.0,
            "[]",
            b"[]".to_vec(),
            "",
        ))
        .unwrap();
        assert_eq!(ok["ok"]["results"], json!([]));
    }

    #[test]
    fn malformed_headers_never_echo_their_values() {
        let answer =
            text::parse_response("listAccounts", 200.0, r#"[["x", "zq\"zq"], 5]"#, vec![], "");
        let (code, message) = err_message(&answer);
        assert_eq!(code, "invalid_param");
        assert!(!message.contains("zq"), "{message}");
    }
}
