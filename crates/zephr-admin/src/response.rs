//! Responses: what the host received ([`Response`]), status classification
//! into typed errors, and tolerant decoding, with [`List`] for the documented
//! list envelopes.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeOwned, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::{ApiError, ApiErrorCode, DecodeError, Error};

/// Response headers that carry a request id, in order of preference.
const REQUEST_ID_HEADERS: &[&str] = &[
    "x-request-id",
    "x-zephr-request-id",
    "request-id",
    "x-amzn-requestid",
    "x-amz-cf-id",
    "cf-ray",
];

/// The longest message taken from an error body, in characters.
const MAX_MESSAGE_CHARS: usize = 500;

/// What the host received: status, headers and the body bytes.
///
/// Build one with [`Response::new`]; the fields are public to read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Response {
    /// The HTTP status.
    pub status: u16,
    /// Header names and values as received.
    pub headers: Vec<(String, String)>,
    /// The body bytes.
    pub body: Vec<u8>,
}

impl Response {
    /// A response from its parts.
    ///
    /// ```
    /// let response = zephr_admin::Response::new(204, vec![], "");
    /// assert!(response.is_success() && response.body.is_empty());
    /// ```
    pub fn new(status: u16, headers: Vec<(String, String)>, body: impl Into<Vec<u8>>) -> Self {
        Response {
            status,
            headers,
            body: body.into(),
        }
    }

    /// The first value of a header (names compare case-insensitively).
    ///
    /// ```
    /// let response = zephr_admin::Response::new(200, vec![("Content-Type".into(), "text/csv".into())], "");
    /// assert_eq!(response.header("content-type"), Some("text/csv"));
    /// ```
    #[must_use]
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The request id, when a response header carries one (`x-request-id`,
    /// `x-zephr-request-id`, `request-id`, `x-amzn-requestid`, `x-amz-cf-id`
    /// or `cf-ray`, in that order).
    ///
    /// ```
    /// let response = zephr_admin::Response::new(500, vec![("CF-Ray".into(), " 8a1 ".into())], "");
    /// assert_eq!(response.request_id(), Some("8a1"));
    /// ```
    #[must_use]
    pub fn request_id(&self) -> Option<&str> {
        REQUEST_ID_HEADERS
            .iter()
            .find_map(|name| self.header(name))
            .map(str::trim)
            .filter(|id| !id.is_empty())
    }

    /// True for 2xx.
    ///
    /// ```
    /// use zephr_admin::Response;
    ///
    /// assert!(Response::new(201, vec![], "").is_success());
    /// assert!(!Response::new(304, vec![], "").is_success());
    /// ```
    #[must_use]
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// `Ok` for 2xx, otherwise the typed [`ApiError`].
    ///
    /// ```
    /// use zephr_admin::Response;
    ///
    /// let response = Response::new(
    ///     401,
    ///     vec![("X-Request-Id".into(), "req-1".into())],
    ///     r#"{"message":"Unauthorized"}"#,
    /// );
    /// let error = response.error_for_status().unwrap_err();
    /// assert_eq!(error.code.as_str(), "authentication_failed");
    /// assert_eq!(error.message.as_deref(), Some("Unauthorized"));
    /// assert_eq!(error.request_id.as_deref(), Some("req-1"));
    /// assert!(error.hint().unwrap().contains("clock"));
    /// ```
    pub fn error_for_status(&self) -> Result<(), ApiError> {
        if self.is_success() {
            return Ok(());
        }
        Err(ApiError {
            code: ApiErrorCode::from_status(self.status),
            status: self.status,
            message: error_message(&self.body),
            request_id: self.request_id().map(str::to_owned),
            body: self.body.clone(),
        })
    }

    /// Decodes a 2xx body into `T`; a non-2xx status becomes [`Error::Api`].
    ///
    /// Decoding is tolerant: an empty body decodes as JSON `null` (so `()`,
    /// `Option<T>` and [`Value`] accept it); a `{"data": ...}` envelope is
    /// unwrapped when `T` does not match the whole body; lists accept bare
    /// arrays and the `results`/`items`/`data` envelopes through [`List`].
    /// A body that still does not decode is [`Error::Decode`] with the raw bytes.
    ///
    /// ```
    /// use zephr_admin::{List, Response};
    /// use serde_json::Value;
    ///
    /// let bare = Response::new(200, vec![], r#"[{"user_id":"u1"}]"#);
    /// let wrapped = Response::new(200, vec![], r#"{"results":[{"user_id":"u1"}],"total":1}"#);
    /// let a: List<Value> = bare.decode()?;
    /// let b: List<Value> = wrapped.decode()?;
    /// assert_eq!(a.items, b.items);
    /// assert_eq!(b.total, Some(1));
    /// # Ok::<(), zephr_admin::Error>(())
    /// ```
    pub fn decode<T: DeserializeOwned>(&self) -> Result<T, Error> {
        self.error_for_status()?;
        decode_body(self.status, &self.body)
    }

    /// The body as text (lossy for invalid UTF-8), for non-JSON answers such as CSV exports.
    ///
    /// ```
    /// use zephr_admin::Response;
    ///
    /// assert_eq!(Response::new(200, vec![], "a,b\n").text()?, "a,b\n");
    /// assert_eq!(Response::new(403, vec![], "").text().unwrap_err().code(), "permission_denied");
    /// # Ok::<(), zephr_admin::Error>(())
    /// ```
    pub fn text(&self) -> Result<String, Error> {
        self.error_for_status()?;
        Ok(String::from_utf8_lossy(&self.body).into_owned())
    }
}

fn decode_body<T: DeserializeOwned>(status: u16, body: &[u8]) -> Result<T, Error> {
    let decode_error = |message: String| Error::Decode(DecodeError::new(status, message, body));
    if body.trim_ascii().is_empty() {
        return T::deserialize(Value::Null)
            .map_err(|e| decode_error(format!("the body is empty: {e}")));
    }
    let direct = match serde_json::from_slice::<T>(body) {
        Ok(value) => return Ok(value),
        Err(e) => e,
    };
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| decode_error(format!("the body is not JSON: {e}")))?;
    if let Value::Object(mut map) = value
        && let Some(inner) = map.remove("data")
        && let Ok(decoded) = T::deserialize(inner)
    {
        return Ok(decoded);
    }
    Err(decode_error(direct.to_string()))
}

/// A best-effort human message from an error body.
fn error_message(body: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(body).ok()?.trim();
    if text.is_empty() {
        return None;
    }
    let message = match serde_json::from_str::<Value>(text) {
        Ok(value) => message_from_json(&value)?,
        // Plain text is a message; an HTML page or broken JSON is not.
        Err(_) if !text.starts_with(['<', '{', '[']) => text.to_owned(),
        Err(_) => return None,
    };
    let message = message.trim();
    if message.is_empty() {
        return None;
    }
    Some(match message.char_indices().nth(MAX_MESSAGE_CHARS) {
        Some((cut, _)) => format!("{}…", message.get(..cut).unwrap_or_default()),
        None => message.to_owned(),
    })
}

fn message_from_json(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Object(map) => [
            "message",
            "error_description",
            "errorMessage",
            "error",
            "detail",
            "title",
            "errors",
        ]
        .iter()
        .find_map(|key| map.get(*key).and_then(message_from_json)),
        Value::Array(items) => items.first().and_then(message_from_json),
        _ => None,
    }
}

/// A list from any of the documented shapes: a bare array, or an object whose
/// `results`, `items` or `data` member is the array. Other members (`total`,
/// `meta`, `links`, ...) are kept.
///
/// Decode one with [`Response::decode`]; [`List::next_page`] says which
/// request fetches the page after it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct List<T> {
    /// The elements.
    #[serde(rename = "results")]
    pub items: Vec<T>,
    /// The `total` member, when the envelope has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<u64>,
    /// Every other member of the envelope.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl<T> Default for List<T> {
    fn default() -> Self {
        List {
            items: Vec::new(),
            total: None,
            extra: Map::new(),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for List<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ListVisitor<T>(PhantomData<T>);

        impl<'de, T: Deserialize<'de>> Visitor<'de> for ListVisitor<T> {
            type Value = List<T>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an array, or an object with a `results`, `items` or `data` array")
            }

            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(List::default())
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(List {
                    items,
                    ..List::default()
                })
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut list = List::default();
                let mut found = false;
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "results" | "items" | "data" if !found => {
                            list.items = map.next_value()?;
                            found = true;
                        }
                        "total" => {
                            let total: Value = map.next_value()?;
                            list.total = total
                                .as_u64()
                                .or_else(|| total.as_str().and_then(|s| s.trim().parse().ok()));
                            if list.total.is_none() {
                                list.extra.insert(key, total);
                            }
                        }
                        _ => {
                            let value: Value = map.next_value()?;
                            list.extra.insert(key, value);
                        }
                    }
                }
                if !found {
                    return Err(de::Error::custom(
                        "expected an object with a `results`, `items` or `data` array",
                    ));
                }
                Ok(list)
            }
        }

        deserializer.deserialize_any(ListVisitor(PhantomData))
    }
}

/// Accepts and discards any body: for operations whose answer carries nothing.
///
/// ```
/// use zephr_admin::response::Ignored;
///
/// let _: Ignored = zephr_admin::Response::new(200, vec![], r#"{"anything": [1, 2]}"#).decode()?;
/// # Ok::<(), zephr_admin::Error>(())
/// ```
pub type Ignored = IgnoredAny;
