//! The JavaScript protocol of the zephr-admin bindings.
//!
//! Both bindings (napi-rs in `bindings/node`, wasm-bindgen in `bindings/wasm`)
//! only move strings, numbers and bytes between JavaScript and these
//! functions and handles, so every decision (validation, defaults, envelope
//! handling, retries, paging, error shape) is made here or in the core once.
//!
//! The messages are typed ([`messages`], [`webhook`]); their TypeScript
//! declarations are derived from these definitions ([`ts::Ts`],
//! [`typescript`]). Nothing here reads a clock or draws randomness: the
//! JavaScript side passes time, nonces and jitter in.

// `#[derive(Ts)]` names this crate by its path, here as elsewhere.
extern crate self as zephr_admin_js;

pub mod call;
pub mod messages;
pub mod preparer;
pub mod ts;
pub mod webhook;

use serde_json::Value;
use serde_json::value::RawValue;
use zeroize::Zeroizing;

use zephr_admin::catalogue::{Pagination, ResponseKind, require_operation};
use zephr_admin::env::{parse_timestamp, timestamp_from_f64};
use zephr_admin::error::{DecodeError, InputError, InputErrorKind};
use zephr_admin::pagination::next_page;
use zephr_admin::signing::{SignableRequest, sign};
use zephr_admin::{
    BaseUrl, Client, Credentials, Env, Error, List, PreparedRequest, Request, Response,
};

pub use call::{CallHandle, ClientHandle};
pub use messages::{Answer, Descriptor, ErrorData, ParseAnswer, Parsed};
pub use preparer::{Preparer, descriptor_lines};
pub use ts::{error_codes, typescript};

/// An input error (the core's kinds, with a message that never quotes a value).
fn input(kind: InputErrorKind, message: impl Into<String>) -> Error {
    Error::Input(InputError::new(kind, message))
}

/// Milliseconds since the epoch from a JSON number or decimal text.
fn timestamp_millis(value: &Value) -> Result<u64, Error> {
    match value {
        Value::Number(n) => match n.as_u64() {
            Some(ms) => Ok(ms),
            None => timestamp_from_f64(n.as_f64().unwrap_or(-1.0)),
        },
        Value::String(text) => parse_timestamp(text),
        _ => Err(input(
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
/// use zephr_admin_js::{SignParts, sign_parts};
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

/// Client options: credentials, target, clock offset and default headers, and
/// for `prepareRequest` the signing time and nonce (which JavaScript supplies).
pub struct ClientOptions {
    /// Access key.
    pub access_key: String,
    /// Secret key (zeroed on drop).
    pub secret_key: Zeroizing<String>,
    /// Tenant id (`https://{tenant}.api.zephr.com`).
    pub tenant: Option<String>,
    /// Any `http(s)://` base URL.
    pub base_url: Option<String>,
    /// Signing time, milliseconds as a number or decimal text.
    pub timestamp: Option<Value>,
    /// Nonce.
    pub nonce: Option<String>,
    /// Added to the clock when signing.
    pub clock_offset_ms: Option<f64>,
    /// Headers sent with every request; the ones the SDK sets are refused.
    pub default_headers: Vec<(String, String)>,
}

/// An `invalid_options` error. Callers pass messages built from option names
/// only: the options hold the secret key, so no value may reach a message.
fn invalid_options(message: String) -> Error {
    input(InputErrorKind::InvalidOptions, message)
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
    /// use zephr_admin_js::ClientOptions;
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
        let headers: Option<serde_json::Map<String, Value>> =
            member(&members, "defaultHeaders", "an object of strings")?;
        let default_headers = headers
            .unwrap_or_default()
            .into_iter()
            .map(|(name, value)| match value {
                Value::String(value) => Ok((name, value)),
                _ => Err(invalid_options(
                    "options: `defaultHeaders` must be an object of strings".to_owned(),
                )),
            })
            .collect::<Result<_, _>>()?;
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
            default_headers,
        })
    }

    /// The client these options describe.
    pub fn client(&self) -> Result<Client, Error> {
        let base_url = match (&self.tenant, &self.base_url) {
            (Some(_), Some(_)) => {
                return Err(input(
                    InputErrorKind::InvalidBaseUrl,
                    "give either tenant or baseUrl, not both",
                ));
            }
            (Some(tenant), None) => BaseUrl::tenant(tenant)?,
            (None, Some(url)) => BaseUrl::parse(url)?,
            (None, None) => {
                return Err(input(
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

    /// The signing environment: the time and nonce JavaScript passed in.
    pub fn env(&self) -> Result<Env, Error> {
        let now_ms = match &self.timestamp {
            Some(ts) => timestamp_millis(ts)?,
            None => {
                return Err(invalid_options(
                    "options: missing field `timestamp`".to_owned(),
                ));
            }
        };
        let nonce = self
            .nonce
            .clone()
            .ok_or_else(|| invalid_options("options: missing field `nonce`".to_owned()))?;
        Ok(Env::new(now_ms, nonce))
    }

    /// The request of an operation from parameters by documented name (the
    /// body under `body`), with the default headers added; the core refuses
    /// the ones it sets itself (`authorization`, `content-type`, ...) when it
    /// prepares the request.
    pub fn request(&self, operation_id: &str, params: &Value) -> Result<Request, Error> {
        let request = require_operation(operation_id)?.request_from_json(params)?;
        Ok(self
            .default_headers
            .iter()
            .fold(request, |request, (name, value)| {
                request.with_header(name.as_str(), value.as_str())
            }))
    }
}

/// The signed request of an operation from parameters by documented name (the
/// body under `body`).
pub fn prepare_request(
    operation_id: &str,
    params: &Value,
    options: &ClientOptions,
) -> Result<PreparedRequest, Error> {
    let request = options.request(operation_id, params)?;
    options.client()?.prepare(&request, &options.env()?)
}

/// The decoded body of a 2xx response as JSON text. Lists come back
/// normalised, `{"results": [...], "total"?: n, ...other members}`, whatever
/// envelope the server used. The body is scanned once and its elements are
/// copied as they arrived: the host parses the text once.
pub fn decode_body(response: &Response, list: bool) -> Result<String, Error> {
    let decode_error = |message: String| {
        Error::Decode(DecodeError::new(
            response.status,
            message,
            response.body.clone(),
        ))
    };
    let text = std::str::from_utf8(response.body.trim_ascii())
        .map_err(|e| decode_error(format!("the body is not UTF-8: {e}")))?;
    let text = if text.is_empty() { "null" } else { text };
    if !list {
        serde_json::from_str::<serde::de::IgnoredAny>(text)
            .map_err(|e| decode_error(format!("the body is not JSON: {e}")))?;
        return Ok(text.to_owned());
    }
    let list: List<&RawValue> =
        serde_json::from_str(text).map_err(|e| decode_error(e.to_string()))?;
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
    Ok(out)
}

/// The decoded answer of an operation as JSON text, and, when `params` (those
/// of the request that was answered) are given, the parameters of the next
/// page if there is one. Non-2xx statuses and undecodable bodies are typed
/// errors. (The JavaScript client pages through [`CallHandle`]; this is the
/// one-response form, kept for the fuzz harness and Rust hosts.)
pub fn parse_page(
    operation_id: &str,
    response: &Response,
    params: Option<&Value>,
) -> Result<(String, Option<Value>), Error> {
    let op = require_operation(operation_id)?;
    response.error_for_status()?;
    let text = decode_body(response, op.response == ResponseKind::List)?;
    let next = match params {
        Some(params) if op.pagination == Pagination::PageRpp => {
            let request = op.request_from_json(params)?;
            let page: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
            next_page(&request, &page).map(|next| {
                let page: u64 = next
                    .query_value("page")
                    .and_then(|p| p.parse().ok())
                    .unwrap_or(1);
                let mut params = params.as_object().cloned().unwrap_or_default();
                params.insert("page".to_owned(), Value::from(page));
                Value::Object(params)
            })
        }
        _ => None,
    };
    Ok((text, next))
}

/// JSON text from the host; malformed text is an input error, not a panic.
/// The message says where, never what: no value reaches it.
fn parse_json<T: serde::de::DeserializeOwned>(
    text: &str,
    what: &str,
    expected: &str,
) -> Result<T, Error> {
    serde_json::from_str(text).map_err(|_| {
        input(
            InputErrorKind::InvalidParam,
            format!("{what} must be {expected}"),
        )
    })
}

/// A status code from a host number: a whole number in 100..=599, never
/// truncated or wrapped.
fn http_status(status: f64) -> Result<u16, Error> {
    if status.fract() == 0.0 && (100.0..=599.0).contains(&status) {
        Ok(status as u16)
    } else {
        Err(input(
            InputErrorKind::InvalidStatus,
            "status must be a whole number from 100 to 599",
        ))
    }
}

/// `signRequest`: the header value, or the error answer as JSON text (which
/// the bindings throw).
pub fn sign_request(parts: &SignParts<'_>) -> Result<String, String> {
    sign_parts(parts).map_err(|e| Answer::<()>::of(Err(e)).to_text())
}

/// `prepareRequest`: `{"ok": Descriptor}` or `{"err": ErrorData}`.
pub fn prepare(operation_id: &str, params: &str, options: &str) -> String {
    Answer::of((|| {
        let params: Value = parse_json(params, "params", "JSON text")?;
        let options = ClientOptions::from_json(options)?;
        Ok(Descriptor::from(prepare_request(
            operation_id,
            &params,
            &options,
        )?))
    })())
    .to_text()
}

/// `parseResponse`: `{"ok": value, "requestId": id | null}` or `{"err": ErrorData}`.
/// `headers` is a JSON array of `[name, value]` pairs.
pub fn parse_response(operation_id: &str, status: f64, headers: &str, body: Vec<u8>) -> String {
    let result = (|| -> Result<Parsed, Error> {
        let status = http_status(status)?;
        let headers: Vec<(String, String)> = parse_json(
            headers,
            "headers",
            "a JSON array of [name, value] string pairs",
        )?;
        let response = Response::new(status, headers, body);
        let (text, _) = parse_page(operation_id, &response, None)?;
        Ok(Parsed {
            ok: raw(text)?,
            request_id: response.request_id().map(str::to_owned),
        })
    })();
    messages::to_text(&match result {
        Ok(parsed) => ParseAnswer::Ok(parsed),
        Err(e) => ParseAnswer::Err { err: (&e).into() },
    })
}

/// Raw JSON from text the core produced (always valid JSON, checked anyway).
pub(crate) fn raw(text: String) -> Result<Box<RawValue>, Error> {
    RawValue::from_string(text).map_err(|_| {
        input(
            InputErrorKind::InvalidParam,
            "the decoded answer is not JSON text",
        )
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use serde_json::json;

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
            let (code, message) = err_message(&prepare("listAccounts", "{}", &options));
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
            let (code, _) = err_message(&parse_response(
                "listAccounts",
                status,
                "[]",
                b"[]".to_vec(),
            ));
            assert_eq!(code, "invalid_status", "{status}");
        }
        let ok: Value =
            serde_json::from_str(&parse_response("listAccounts", 200.0, "[]", b"[]".to_vec()))
                .unwrap();
        assert_eq!(ok["ok"]["results"], json!([]));
    }

    #[test]
    fn malformed_headers_never_echo_their_values() {
        let answer = parse_response("listAccounts", 200.0, r#"[["x", "zq\"zq"], 5]"#, vec![]);
        let (code, message) = err_message(&answer);
        assert_eq!(code, "invalid_param");
        assert!(!message.contains("zq"), "{message}");
    }
}
