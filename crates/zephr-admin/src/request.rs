//! Requests: what the caller describes ([`Request`], [`Body`]) and what the
//! host sends ([`PreparedRequest`]), joined by [`Client::prepare`]; where they
//! go ([`BaseUrl`]) and how their parts are percent-encoded.
//!
//! Builders take `self` and set with `with_*`; getters are plain nouns.

use std::borrow::Cow;

use serde::Serialize;

use crate::credentials::check_header_field;
use crate::credentials::{Credentials, describe_char};
use crate::env::{Env, apply_offset};
use crate::error::{Error, InputErrorKind};
use crate::retry::RetryPolicy;
use crate::signing::{SignableRequest, check_path, is_tchar, normalize_method, sign_checked};
pub use crate::url::{BaseUrl, encode_component, encode_query};

/// The `User-Agent` every request carries.
///
/// ```
/// assert!(zephr_admin::request::USER_AGENT.starts_with("zephr-admin/"));
/// ```
pub const USER_AGENT: &str = concat!("zephr-admin/", env!("CARGO_PKG_VERSION"));

/// Headers the SDK sets itself and callers may not supply.
const RESERVED_HEADERS: &[&str] = &[
    "authorization",
    "host",
    "content-length",
    "content-type",
    "accept",
    "user-agent",
    "transfer-encoding",
    "connection",
];

/// A request body: bytes that are serialised once, signed and sent unchanged.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[must_use]
pub struct Body {
    bytes: Vec<u8>,
    content_type: Option<Cow<'static, str>>,
}

impl Body {
    /// No body.
    ///
    /// ```
    /// let body = zephr_admin::Body::empty();
    /// assert!(body.is_empty() && body.content_type().is_none());
    /// ```
    pub fn empty() -> Self {
        Body::default()
    }

    /// Any serialisable value as compact JSON (`application/json`). Non-ASCII
    /// characters are sent as raw UTF-8.
    ///
    /// ```
    /// let body = zephr_admin::Body::json(&serde_json::json!({"first_name": "Zoë"}))?;
    /// assert_eq!(body.as_bytes(), "{\"first_name\":\"Zoë\"}".as_bytes());
    /// assert_eq!(body.content_type(), Some("application/json"));
    /// # Ok::<(), zephr_admin::Error>(())
    /// ```
    pub fn json<T: Serialize + ?Sized>(value: &T) -> Result<Self, Error> {
        let bytes = serde_json::to_vec(value)
            .map_err(|e| Error::input(InputErrorKind::InvalidBody, e.to_string()))?;
        Ok(Body {
            bytes,
            content_type: Some(Cow::Borrowed("application/json")),
        })
    }

    /// JSON text that is already serialised, sent as given after checking it parses.
    ///
    /// ```
    /// let body = zephr_admin::Body::json_text(r#"{"a": 1}"#)?;
    /// assert_eq!(body.as_bytes(), br#"{"a": 1}"#);
    /// assert_eq!(zephr_admin::Body::json_text("{").unwrap_err().code(), "invalid_body");
    /// # Ok::<(), zephr_admin::Error>(())
    /// ```
    pub fn json_text(text: impl Into<String>) -> Result<Self, Error> {
        let text = text.into();
        serde_json::from_str::<serde::de::IgnoredAny>(&text).map_err(|e| {
            Error::input(
                InputErrorKind::InvalidBody,
                format!("the body is not JSON: {e}"),
            )
        })?;
        Ok(Body {
            bytes: text.into_bytes(),
            content_type: Some(Cow::Borrowed("application/json")),
        })
    }

    /// Plain text (`text/plain; charset=utf-8`), e.g. the regular expression of
    /// the evict-origin operations.
    ///
    /// ```
    /// let body = zephr_admin::Body::text("^/news/.*");
    /// assert_eq!(body.content_type(), Some("text/plain; charset=utf-8"));
    /// ```
    pub fn text(text: impl Into<String>) -> Self {
        Body {
            bytes: text.into().into_bytes(),
            content_type: Some(Cow::Borrowed("text/plain; charset=utf-8")),
        }
    }

    /// Raw bytes with their media type.
    ///
    /// ```
    /// let body = zephr_admin::Body::raw(b"a,b\n".to_vec(), "text/csv");
    /// assert_eq!((body.as_bytes(), body.content_type()), (&b"a,b\n"[..], Some("text/csv")));
    /// ```
    pub fn raw(bytes: impl Into<Vec<u8>>, content_type: impl Into<String>) -> Self {
        Body {
            bytes: bytes.into(),
            content_type: Some(Cow::Owned(content_type.into())),
        }
    }

    /// The exact bytes that are signed and sent.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The media type, when there is a body.
    #[must_use]
    pub fn content_type(&self) -> Option<&str> {
        if self.bytes.is_empty() {
            None
        } else {
            self.content_type.as_deref()
        }
    }

    /// True when nothing is sent.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }
}

/// An unsigned request: method, path template with its parameters, ordered
/// query pairs, extra headers and a body. Building never fails; everything is
/// checked by [`Client::prepare`].
///
/// ```
/// use zephr_admin::Request;
///
/// let request = Request::get("/v3/users/{user_id}/grants")
///     .with_path_param("user_id", "5fd2b1a4")
///     .with_query("active", "true");
/// assert_eq!(request.query_value("active"), Some("true"));
/// assert_eq!(request.render_path()?, "/v3/users/5fd2b1a4/grants");
/// # Ok::<(), zephr_admin::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct Request {
    method: String,
    path_template: String,
    path_params: Vec<(String, String)>,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: Body,
}

impl Request {
    /// A request for `method` and a path template such as `/v3/users/{user_id}`.
    ///
    /// ```
    /// let request = zephr_admin::Request::new("OPTIONS", "/v3/accounts");
    /// assert_eq!((request.method(), request.path_template()), ("OPTIONS", "/v3/accounts"));
    /// ```
    pub fn new(method: impl Into<String>, path_template: impl Into<String>) -> Self {
        Request {
            method: method.into(),
            path_template: path_template.into(),
            path_params: Vec::new(),
            query: Vec::new(),
            headers: Vec::new(),
            body: Body::empty(),
        }
    }

    /// A `GET` request.
    ///
    /// ```
    /// assert_eq!(zephr_admin::Request::get("/v3/accounts").method(), "GET");
    /// ```
    pub fn get(path_template: impl Into<String>) -> Self {
        Self::new("GET", path_template)
    }

    /// A `POST` request.
    ///
    /// ```
    /// assert_eq!(zephr_admin::Request::post("/v3/users").method(), "POST");
    /// ```
    pub fn post(path_template: impl Into<String>) -> Self {
        Self::new("POST", path_template)
    }

    /// A `PUT` request.
    ///
    /// ```
    /// assert_eq!(zephr_admin::Request::put("/v3/users/{user_id}").method(), "PUT");
    /// ```
    pub fn put(path_template: impl Into<String>) -> Self {
        Self::new("PUT", path_template)
    }

    /// A `PATCH` request.
    ///
    /// ```
    /// assert_eq!(zephr_admin::Request::patch("/v3/users/{user_id}").method(), "PATCH");
    /// ```
    pub fn patch(path_template: impl Into<String>) -> Self {
        Self::new("PATCH", path_template)
    }

    /// A `DELETE` request.
    ///
    /// ```
    /// assert_eq!(zephr_admin::Request::delete("/v3/users/{user_id}").method(), "DELETE");
    /// ```
    pub fn delete(path_template: impl Into<String>) -> Self {
        Self::new("DELETE", path_template)
    }

    /// Sets the value of the `{name}` placeholder; it is percent-encoded, so it
    /// always stays one path segment. Setting a name again replaces its value.
    ///
    /// ```
    /// let request = zephr_admin::Request::get("/v3/users/{user_id}")
    ///     .with_path_param("user_id", "a b/c")
    ///     .with_path_param("user_id", "a/b");
    /// assert_eq!(request.render_path()?, "/v3/users/a%2Fb");
    /// # Ok::<(), zephr_admin::Error>(())
    /// ```
    pub fn with_path_param(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        let name = name.into();
        let value = value.into();
        match self.path_params.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = value,
            None => self.path_params.push((name, value)),
        }
        self
    }

    /// Appends a query pair; pairs are sent in the order they are added.
    ///
    /// ```
    /// let request = zephr_admin::Request::get("/v3/accounts")
    ///     .with_query("tag", "a")
    ///     .with_query("tag", "b");
    /// assert_eq!(request.query_pairs().len(), 2);
    /// ```
    pub fn with_query(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.query.push((name.into(), value.into()));
        self
    }

    /// Replaces the value of every pair named `name`, or appends one pair.
    ///
    /// ```
    /// let request = zephr_admin::Request::get("/v3/accounts")
    ///     .with_query("page", "1")
    ///     .with_query_replaced("page", "2");
    /// assert_eq!(request.query_pairs(), [("page".to_owned(), "2".to_owned())]);
    /// ```
    pub fn with_query_replaced(mut self, name: &str, value: impl Into<String>) -> Self {
        let value = value.into();
        let mut found = false;
        for pair in self.query.iter_mut().filter(|(n, _)| n == name) {
            pair.1.clone_from(&value);
            found = true;
        }
        if !found {
            self.query.push((name.to_owned(), value));
        }
        self
    }

    /// Adds a header (an operation's documented header parameter). Names that
    /// the SDK sets itself, such as `Authorization`, are refused at prepare time.
    ///
    /// ```
    /// let request = zephr_admin::Request::get("/v3/accounts").with_header("x-trace", "t-1");
    /// # let _ = request;
    /// ```
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Sets the body.
    ///
    /// ```
    /// use zephr_admin::{Body, Request};
    ///
    /// let request = Request::post("/v3/users").with_body(Body::text("hi"));
    /// assert_eq!(request.body().as_bytes(), b"hi");
    /// ```
    pub fn with_body(mut self, body: Body) -> Self {
        self.body = body;
        self
    }

    /// The method as given.
    #[must_use]
    pub fn method(&self) -> &str {
        &self.method
    }

    /// The path template as given.
    #[must_use]
    pub fn path_template(&self) -> &str {
        &self.path_template
    }

    /// The ordered query pairs.
    #[must_use]
    pub fn query_pairs(&self) -> &[(String, String)] {
        &self.query
    }

    /// The first value of a query parameter.
    #[must_use]
    pub fn query_value(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body.
    pub fn body(&self) -> &Body {
        &self.body
    }

    /// The encoded path: the template with each `{name}` replaced by its
    /// percent-encoded value.
    ///
    /// ```
    /// let request = zephr_admin::Request::get("/v3/users/{user_id}");
    /// assert_eq!(request.render_path().unwrap_err().code(), "missing_path_param");
    /// ```
    pub fn render_path(&self) -> Result<String, Error> {
        let mut path = String::with_capacity(self.path_template.len() + 32);
        let mut used = 0usize;
        let mut rest = self.path_template.as_str();
        while let Some(open) = rest.find('{') {
            let (literal, tail) = rest.split_at(open);
            path.push_str(literal);
            let close = tail.find('}').ok_or_else(|| {
                Error::input(
                    InputErrorKind::InvalidPath,
                    "the path template has an unclosed '{'",
                )
            })?;
            let name = tail.get(1..close).unwrap_or_default();
            let (_, value) = self
                .path_params
                .iter()
                .find(|(n, _)| n == name)
                .ok_or_else(|| {
                    Error::input(
                        InputErrorKind::MissingPathParam,
                        format!("the path parameter '{name}' was not given"),
                    )
                })?;
            if value.is_empty() || value == "." || value == ".." {
                return Err(Error::input(
                    InputErrorKind::InvalidPathParam,
                    format!("the path parameter '{name}' must not be empty, '.' or '..'"),
                ));
            }
            encode_component(value, &mut path);
            used += 1;
            rest = tail.get(close + 1..).unwrap_or_default();
        }
        path.push_str(rest);
        if used < self.path_params.len() {
            let unknown = self
                .path_params
                .iter()
                .map(|(n, _)| n)
                .find(|n| !self.path_template.contains(&format!("{{{n}}}")))
                .map_or("?", String::as_str);
            return Err(Error::input(
                InputErrorKind::UnknownPathParam,
                format!("the path template has no parameter '{unknown}'"),
            ));
        }
        check_path(&path)?;
        Ok(path)
    }
}

/// A signed request, ready for any HTTP client: send `method` to `url` with
/// exactly these `headers` and `body` bytes.
///
/// Only [`Client::prepare`] makes one (its fields are public to read): a
/// prepared request is signed for one moment and one nonce, so dropping it
/// unsent, or sending it twice, is a bug.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
#[must_use = "a prepared request does nothing until the host sends it"]
pub struct PreparedRequest {
    /// Upper-case HTTP method.
    pub method: String,
    /// The full URL; its path and query are exactly the ones that were signed.
    pub url: String,
    /// Header names (lower-case) and values, in a fixed order.
    pub headers: Vec<(String, String)>,
    /// The exact body bytes that were signed (empty when there is no body).
    pub body: Vec<u8>,
}

impl PreparedRequest {
    /// The value of a header (names compare case-insensitively).
    ///
    /// ```
    /// use zephr_admin::{BaseUrl, Client, Credentials, Env, Request};
    ///
    /// let client = Client::new(Credentials::new("ak", "sk")?, BaseUrl::tenant("news")?);
    /// let prepared = client.prepare(&Request::get("/v3/accounts"), &Env::new(1, "n"))?;
    /// assert_eq!(prepared.header("Accept"), Some("application/json"));
    /// # Ok::<(), zephr_admin::Error>(())
    /// ```
    #[must_use]
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// The sans-IO client: credentials, target and policies. It prepares signed
/// requests; the host sends them and hands the responses back to
/// [`Response`](crate::Response).
///
/// ```
/// use zephr_admin::{BaseUrl, Client, Credentials, Env, Request};
///
/// let client = Client::new(Credentials::new("ak", "sk")?, BaseUrl::tenant("news")?);
/// let request = Request::get("/v3/users/{user_id}").with_path_param("user_id", "../admin");
/// let prepared = client.prepare(&request, &Env::new(1_700_000_000_000, "n1"))?;
/// assert_eq!(prepared.url, "https://news.api.zephr.com/v3/users/..%2Fadmin");
/// assert!(prepared.header("authorization").unwrap().starts_with("ZEPHR-HMAC-SHA256 ak:1700000000000:n1:"));
/// # Ok::<(), zephr_admin::Error>(())
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct Client {
    credentials: Credentials,
    base_url: BaseUrl,
    clock_offset_ms: i64,
    retry_policy: RetryPolicy,
}

impl Client {
    /// A client for one key pair and one target, with no clock offset and the
    /// default [`RetryPolicy`].
    ///
    /// ```
    /// use zephr_admin::{BaseUrl, Client, Credentials};
    ///
    /// let client = Client::new(Credentials::new("ak", "sk")?, BaseUrl::parse("http://127.0.0.1:8080")?);
    /// assert_eq!(client.base_url().origin(), "http://127.0.0.1:8080");
    /// assert_eq!(client.credentials().access_key(), "ak");
    /// # Ok::<(), zephr_admin::Error>(())
    /// ```
    pub fn new(credentials: Credentials, base_url: BaseUrl) -> Self {
        Client {
            credentials,
            base_url,
            clock_offset_ms: 0,
            retry_policy: RetryPolicy::default(),
        }
    }

    /// Adds `offset_ms` to the host's clock when signing (positive when the
    /// local clock is behind the server's).
    ///
    /// ```
    /// use zephr_admin::{BaseUrl, Client, Credentials, Env, Request};
    ///
    /// let client = Client::new(Credentials::new("ak", "sk")?, BaseUrl::tenant("news")?)
    ///     .with_clock_offset_ms(-1_000);
    /// let prepared = client.prepare(&Request::get("/v3/accounts"), &Env::new(5_000, "n"))?;
    /// assert!(prepared.header("authorization").unwrap().contains(":4000:n:"));
    /// # Ok::<(), zephr_admin::Error>(())
    /// ```
    pub fn with_clock_offset_ms(mut self, offset_ms: i64) -> Self {
        self.clock_offset_ms = offset_ms;
        self
    }

    /// Replaces the retry policy.
    ///
    /// ```
    /// use zephr_admin::retry::RetryPolicy;
    /// use zephr_admin::{BaseUrl, Client, Credentials};
    ///
    /// let client = Client::new(Credentials::new("ak", "sk")?, BaseUrl::tenant("news")?)
    ///     .with_retry_policy(RetryPolicy::never());
    /// assert_eq!(client.retry_policy().max_retries, 0);
    /// # Ok::<(), zephr_admin::Error>(())
    /// ```
    pub fn with_retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry_policy = policy;
        self
    }

    /// The retry policy.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.retry_policy
    }

    /// The target.
    #[must_use]
    pub fn base_url(&self) -> &BaseUrl {
        &self.base_url
    }

    /// The credentials.
    #[must_use]
    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    /// Checks, encodes and signs a request at the moment and with the nonce
    /// of `env` (see the example on [`Client`]).
    pub fn prepare(&self, request: &Request, env: &Env) -> Result<PreparedRequest, Error> {
        let method = normalize_method(request.method())?;
        check_header_field(&env.nonce, InputErrorKind::InvalidNonce, "nonce")?;
        let mut path = String::from(self.base_url.path_prefix());
        path.push_str(&request.render_path()?);
        let query = encode_query(request.query.iter().map(|(k, v)| (k, v)));

        let mut headers = Vec::with_capacity(5 + request.headers.len());
        let timestamp_ms = apply_offset(env.now_ms, self.clock_offset_ms);
        let signable = SignableRequest {
            method: &method,
            path: &path,
            query: &query,
            body: request.body.as_bytes(),
        };
        let signature = sign_checked(
            &self.credentials,
            &method,
            &signable,
            timestamp_ms,
            &env.nonce,
        );
        headers.push(("authorization".to_owned(), signature.into_authorization()));
        headers.push(("accept".to_owned(), "application/json".to_owned()));
        if let Some(content_type) = request.body.content_type() {
            check_header_value("content-type", content_type)?;
            headers.push(("content-type".to_owned(), content_type.to_owned()));
        }
        headers.push(("user-agent".to_owned(), USER_AGENT.to_owned()));
        for (name, value) in &request.headers {
            headers.push(check_custom_header(name, value)?);
        }

        let mut url =
            String::with_capacity(self.base_url.origin().len() + path.len() + query.len() + 1);
        url.push_str(self.base_url.origin());
        url.push_str(&path);
        if !query.is_empty() {
            url.push('?');
            url.push_str(&query);
        }
        Ok(PreparedRequest {
            method,
            url,
            headers,
            body: request.body.as_bytes().to_vec(),
        })
    }
}

fn check_custom_header(name: &str, value: &str) -> Result<(String, String), Error> {
    if name.is_empty() || !name.bytes().all(is_tchar) {
        return Err(Error::input(
            InputErrorKind::InvalidHeader,
            "a header name must be a non-empty HTTP token",
        ));
    }
    let lower = name.to_ascii_lowercase();
    if RESERVED_HEADERS.contains(&lower.as_str()) {
        return Err(Error::input(
            InputErrorKind::InvalidHeader,
            format!("the header '{lower}' is set by the SDK and cannot be supplied"),
        ));
    }
    check_header_value(&lower, value)?;
    Ok((lower, value.to_owned()))
}

/// A header value may hold visible characters, spaces and tabs, never CR, LF
/// or other control characters (which could split the header).
fn check_header_value(name: &str, value: &str) -> Result<(), Error> {
    if let Some(c) = value.chars().find(|&c| c.is_control() && c != '\t') {
        return Err(Error::input(
            InputErrorKind::InvalidHeader,
            format!("the value of header '{name}' contains {}", describe_char(c)),
        ));
    }
    Ok(())
}
