//! The typed messages that cross the JavaScript boundary, as JSON text.
//!
//! Every message has one shape: no sentinel values. Absent parts are absent
//! (or `null`), never `0`, `""` or `-1`. Each derives [`Ts`], which reads
//! the same definitions and serde attributes to declare them for TypeScript
//! ([`crate::typescript`]).

use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize, Serializer};
use serde_json::value::RawValue;
use zephr_admin::call::{CallError, FailureKind, Redirect, RetryNote};
use zephr_admin::{Error, PreparedRequest};

use crate::ts::Ts;

/// What the core reports about a failure: `code`, `message`, and where known
/// `status`, `requestId`, `hint`, the server's message, the raw `body` (text)
/// and a redirect's `location`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Ts)]
#[serde(rename_all = "camelCase")]
pub struct ErrorData {
    /// The stable snake_case code.
    #[ts(type = "ErrorCode")]
    pub code: &'static str,
    /// A human-readable message; never holds the secret key.
    pub message: String,
    /// The HTTP status, for API, decode and redirect errors.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// The request id a response header carried, for API and redirect errors.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// What to check first, for the codes where there is something to say.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<&'static str>,
    /// The message the server put in its error body.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server_message: Option<String>,
    /// The raw response body as text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// The `Location` of a redirect (which is not followed), if the host saw it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
}

impl ErrorData {
    fn new(code: &'static str, message: String) -> Self {
        ErrorData {
            code,
            message,
            status: None,
            request_id: None,
            hint: None,
            server_message: None,
            body: None,
            location: None,
        }
    }
}

impl From<&Error> for ErrorData {
    fn from(error: &Error) -> Self {
        match error {
            Error::Input(e) => ErrorData::new(error.code(), e.message.clone()),
            Error::Api(e) => ErrorData {
                status: Some(e.status),
                request_id: e.request_id.clone(),
                hint: e.hint(),
                server_message: e.message.clone(),
                body: Some(e.body_text()),
                ..ErrorData::new(error.code(), error.to_string())
            },
            Error::Decode(e) => ErrorData {
                status: Some(e.status),
                body: Some(String::from_utf8_lossy(&e.body).into_owned()),
                ..ErrorData::new(error.code(), error.to_string())
            },
            // The core's error is non-exhaustive: a new kind keeps its code and message.
            _ => ErrorData::new(error.code(), error.to_string()),
        }
    }
}

impl From<&CallError> for ErrorData {
    fn from(error: &CallError) -> Self {
        match error {
            CallError::Core(e) => e.into(),
            CallError::Transport(f) => ErrorData::new(f.kind.as_str(), f.to_string()),
            CallError::Redirect(r) => ErrorData {
                status: r.status,
                request_id: r.request_id.clone(),
                location: r.location.clone(),
                ..ErrorData::new(Redirect::CODE, r.to_string())
            },
            other => ErrorData::new(other.code(), other.to_string()),
        }
    }
}

/// An answer: the value, or the error.
#[derive(Debug, Serialize, Ts)]
#[serde(rename_all = "lowercase")]
pub enum Answer<T> {
    /// The value.
    Ok(T),
    /// The error.
    Err(ErrorData),
}

impl<T: Serialize> Answer<T> {
    /// The answer of a result.
    pub fn of(result: Result<T, Error>) -> Self {
        match result {
            Ok(value) => Answer::Ok(value),
            Err(e) => Answer::Err((&e).into()),
        }
    }

    /// The JSON text.
    pub fn to_text(&self) -> String {
        to_text(self)
    }
}

/// JSON text of a message. The messages hold only strings, numbers and raw
/// JSON, which always serialise.
pub(crate) fn to_text<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| {
        r#"{"err":{"code":"invalid_param","message":"the answer could not be serialised"}}"#
            .to_owned()
    })
}

/// Header names and values, serialised as one JSON object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Headers(pub Vec<(String, String)>);

impl Serialize for Headers {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (name, value) in &self.0 {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

/// A signed request, ready for `fetch(url, { method, headers, body })`.
/// Bodies built by the SDK are JSON or text, so they are always UTF-8.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Ts)]
pub struct Descriptor {
    /// The HTTP method.
    pub method: String,
    /// The full URL.
    pub url: String,
    /// Every header to send, the signature included.
    pub headers: Headers,
    /// The body text, `null` when there is none.
    pub body: Option<String>,
}

impl From<PreparedRequest> for Descriptor {
    fn from(prepared: PreparedRequest) -> Self {
        let body = if prepared.body.is_empty() {
            None
        } else {
            Some(match String::from_utf8(prepared.body) {
                Ok(text) => text,
                Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
            })
        };
        Descriptor {
            method: prepared.method,
            url: prepared.url,
            headers: Headers(prepared.headers),
            body,
        }
    }
}

/// A decoded answer and the request id its response carried.
#[derive(Debug, Clone, Serialize, Ts)]
pub struct Parsed {
    /// The decoded value; lists are `{"results": [...], "total"?: n, ...}`.
    pub ok: Box<RawValue>,
    /// The request id from the response headers.
    #[serde(rename = "requestId")]
    pub request_id: Option<String>,
}

/// `parseResponse`: the decoded answer, or the error.
#[derive(Debug, Serialize, Ts)]
#[serde(untagged)]
pub enum ParseAnswer {
    /// The decoded answer.
    Ok(Parsed),
    /// The error.
    Err {
        /// What went wrong.
        err: ErrorData,
    },
}

/// What the host does next (`CallHandle.poll`).
#[derive(Debug, Serialize, Ts)]
#[serde(tag = "step", rename_all = "camelCase")]
pub enum StepMessage {
    /// Send this request exactly as it is (no redirects), then report with `handle`.
    Send {
        /// The signed request.
        request: Descriptor,
    },
    /// Wait this many milliseconds, then poll again.
    Wait {
        /// Milliseconds.
        ms: u64,
    },
    /// A result: the call's answer, or one page.
    Output(Parsed),
    /// The call failed; nothing follows.
    Error {
        /// What went wrong.
        err: ErrorData,
    },
    /// Every output has been given.
    Finished,
}

/// Why an attempt got no usable response, as the host reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Ts)]
#[serde(rename_all = "camelCase")]
pub enum Failure {
    /// The connection could not be made: the request was certainly not sent.
    Connect,
    /// No answer within the timeout.
    TimedOut,
    /// The connection failed after the request may have been sent.
    Interrupted,
    /// The body is longer than the call accepts.
    BodyTooLarge,
    /// `fetch` with `redirect: "manual"` answered an `opaqueredirect`: a
    /// redirect whose status and location the runtime hides.
    OpaqueRedirect,
}

impl Failure {
    /// Every variant, in declaration order.
    pub const ALL: &'static [Failure] = &[
        Failure::Connect,
        Failure::TimedOut,
        Failure::Interrupted,
        Failure::BodyTooLarge,
        Failure::OpaqueRedirect,
    ];

    /// The core's kind.
    pub fn kind(self) -> FailureKind {
        match self {
            Failure::Connect => FailureKind::Connect,
            Failure::TimedOut => FailureKind::TimedOut,
            Failure::Interrupted => FailureKind::Interrupted,
            Failure::BodyTooLarge => FailureKind::BodyTooLarge,
            Failure::OpaqueRedirect => FailureKind::OpaqueRedirect,
        }
    }
}

/// What happened to the request sent (`CallHandle.handle`; the body bytes
/// travel beside it).
#[derive(Debug, Clone, PartialEq, Deserialize, Ts)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub enum OutcomeMessage {
    /// A response arrived.
    Response {
        /// The HTTP status, 100 to 599.
        status: f64,
        /// `[name, value]` pairs as received.
        headers: Vec<(String, String)>,
    },
    /// No usable response.
    Failure {
        /// Why.
        kind: Failure,
        /// The host's description.
        message: String,
    },
}

/// A retry the engine decided, for the host's `onRetry` hook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Ts)]
#[serde(rename_all = "camelCase")]
pub struct RetryMessage {
    /// The attempt that failed (1 for the first).
    pub attempt: u32,
    /// Its status, `null` for a transport failure.
    pub status: Option<u16>,
    /// The failure code (`timed_out`, ...), `null` when a response arrived.
    #[ts(type = "FailureCode | null")]
    pub failure: Option<&'static str>,
    /// Milliseconds before the next attempt.
    pub wait_ms: u64,
}

impl From<&RetryNote> for RetryMessage {
    fn from(note: &RetryNote) -> Self {
        RetryMessage {
            attempt: note.attempt,
            status: note.status,
            failure: note.failure.map(FailureKind::as_str),
            wait_ms: note.wait_ms,
        }
    }
}

/// Per-call settings (`ClientHandle.call`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Ts)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct CallSettings {
    /// Retries after the first attempt [default: the client's policy].
    pub max_retries: Option<u32>,
    /// The largest response body accepted [default: the core's, 64 MiB].
    pub max_response_bytes: Option<u64>,
    /// Walk every page of a `page`/`rpp` list, one output per page.
    pub paginate: bool,
}
