//! What the emulator answers: status, headers and body bytes.

use serde_json::{Value, json};

/// One answer, before it is written to the connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    /// A JSON answer.
    pub fn json(status: u16, value: &Value) -> Self {
        Reply {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: serde_json::to_vec(value).unwrap_or_default(),
        }
    }

    /// An answer without a body.
    pub fn empty(status: u16) -> Self {
        Reply {
            status,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    /// An error answer: `{"error": code, "message": message}`.
    pub fn error(status: u16, code: &str, message: impl Into<String>) -> Self {
        Reply::json(
            status,
            &json!({"error": code, "message": message.into(), "status": status}),
        )
    }

    /// 400 with an explanation.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Reply::error(400, "bad_request", message)
    }

    /// 404 naming what was not found.
    pub fn not_found(message: impl Into<String>) -> Self {
        Reply::error(404, "not_found", message)
    }

    /// 409 with an explanation.
    pub fn conflict(message: impl Into<String>) -> Self {
        Reply::error(409, "conflict", message)
    }

    /// Adds a header.
    pub fn with_header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_owned(), value.into()));
        self
    }
}
