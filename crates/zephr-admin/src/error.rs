//! Typed errors. Every error has a stable snake_case [`Error::code`] that the
//! bindings expose unchanged, so hosts branch on data rather than on messages.
//!
//! Secrets never reach an error: messages name the offending part of the input,
//! never the secret key, and response bodies are kept as received.

use std::fmt;

/// `Result` with this crate's [`Error`] as the default error type.
///
/// ```
/// fn tenant_url(tenant: &str) -> zephr_admin::Result<String> {
///     Ok(zephr_admin::BaseUrl::tenant(tenant)?.to_string())
/// }
/// assert_eq!(tenant_url("news")?, "https://news.api.zephr.com");
/// assert_eq!(tenant_url("no spaces").unwrap_err().code(), "invalid_tenant");
/// # Ok::<(), zephr_admin::Error>(())
/// ```
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong while preparing a request or reading a response.
///
/// Match on the variant for the details, or on [`Error::code`] for a stable
/// string; [`source`](std::error::Error::source) is the wrapped error.
///
/// ```
/// use std::error::Error as _;
/// use zephr_admin::{Error, Response};
///
/// let err = Response::new(404, vec![], r#"{"message":"no such user"}"#)
///     .decode::<serde_json::Value>()
///     .unwrap_err();
/// assert_eq!(err.code(), "not_found");
/// assert!(matches!(&err, Error::Api(api) if api.status == 404));
/// assert!(err.source().is_some());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The input cannot make a well-formed, unambiguous signed request.
    Input(InputError),
    /// The API answered with a non-2xx status.
    Api(ApiError),
    /// The API answered 2xx, but the body does not decode into the expected type.
    Decode(DecodeError),
}

impl Error {
    /// The stable snake_case code of this error (for example `invalid_nonce`,
    /// `not_found` or `decode_error`).
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Error::Input(e) => e.kind.as_str(),
            Error::Api(e) => e.code.as_str(),
            Error::Decode(_) => "decode_error",
        }
    }

    pub(crate) fn input(kind: InputErrorKind, message: impl Into<String>) -> Self {
        Error::Input(InputError::new(kind, message))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Input(e) => e.fmt(f),
            Error::Api(e) => e.fmt(f),
            Error::Decode(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Input(e) => Some(e),
            Error::Api(e) => Some(e),
            Error::Decode(e) => Some(e),
        }
    }
}

impl From<ApiError> for Error {
    fn from(e: ApiError) -> Self {
        Error::Api(e)
    }
}

/// Input that was refused before anything was signed.
///
/// ```
/// use zephr_admin::error::{InputError, InputErrorKind};
///
/// let err = InputError::new(InputErrorKind::InvalidNonce, "the nonce is empty");
/// assert_eq!(err.to_string(), "invalid_nonce: the nonce is empty");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct InputError {
    /// What kind of input was refused.
    pub kind: InputErrorKind,
    /// A human-readable explanation; never contains the secret key.
    pub message: String,
}

impl InputError {
    /// An input error of this kind; `message` must not contain secrets.
    pub fn new(kind: InputErrorKind, message: impl Into<String>) -> Self {
        InputError {
            kind,
            message: message.into(),
        }
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind.as_str(), self.message)
    }
}

impl std::error::Error for InputError {}

impl From<InputError> for Error {
    fn from(e: InputError) -> Self {
        Error::Input(e)
    }
}

impl From<DecodeError> for Error {
    fn from(e: DecodeError) -> Self {
        Error::Decode(e)
    }
}

macro_rules! codes {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $code:literal,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $($(#[$vmeta])* $variant,)*
        }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            /// The stable snake_case code.
            #[must_use]
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $code,)*
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

codes! {
    /// Why an input was refused.
    InputErrorKind {
        /// Empty, or contains `:`, whitespace, control or non-ASCII characters.
        InvalidAccessKey => "invalid_access_key",
        /// The secret key is empty.
        InvalidSecretKey => "invalid_secret_key",
        /// Empty, or contains `:`, whitespace, control or non-ASCII characters.
        InvalidNonce => "invalid_nonce",
        /// Not a decimal count of milliseconds since the Unix epoch.
        InvalidTimestamp => "invalid_timestamp",
        /// Not an HTTP method token.
        InvalidMethod => "invalid_method",
        /// Does not start with `/`, or holds characters that are not allowed raw in a path.
        InvalidPath => "invalid_path",
        /// Starts with `?`, or holds characters that are not allowed raw in a query.
        InvalidQuery => "invalid_query",
        /// A path template names a parameter that was not given.
        MissingPathParam => "missing_path_param",
        /// A path parameter was given that the template does not name.
        UnknownPathParam => "unknown_path_param",
        /// A path parameter is empty, `.` or `..`, which would change the route.
        InvalidPathParam => "invalid_path_param",
        /// A header name is not a token, a value holds CR, LF or other control
        /// characters, or the header is one the SDK sets itself.
        InvalidHeader => "invalid_header",
        /// The base URL is not an `http(s)://` URL without query or fragment.
        InvalidBaseUrl => "invalid_base_url",
        /// The tenant id is not a DNS label.
        InvalidTenant => "invalid_tenant",
        /// The body could not be serialised.
        InvalidBody => "invalid_body",
        /// No operation has this id.
        UnknownOperation => "unknown_operation",
        /// The operation has no parameter of this name.
        UnknownParam => "unknown_param",
        /// A required parameter of the operation was not given.
        MissingParam => "missing_param",
        /// A parameter value has the wrong type.
        InvalidParam => "invalid_param",
        /// The operating system could not provide randomness for a nonce.
        EntropyUnavailable => "entropy_unavailable",
        /// A client option is missing or has the wrong type or range (the
        /// message names the option, never its value).
        InvalidOptions => "invalid_options",
        /// A response status outside 100..=599.
        InvalidStatus => "invalid_status",
    }
}

codes! {
    /// The class of a non-2xx API response.
    ApiErrorCode {
        /// 400.
        BadRequest => "bad_request",
        /// 401: the signature, the clock or the key pair is wrong.
        AuthenticationFailed => "authentication_failed",
        /// 403: the key pair's admin user lacks a role, or the tenant lacks a module.
        PermissionDenied => "permission_denied",
        /// 404.
        NotFound => "not_found",
        /// 409.
        Conflict => "conflict",
        /// 429.
        RateLimited => "rate_limited",
        /// 5xx.
        ServerError => "server_error",
        /// Any other status that is not 2xx.
        UnexpectedStatus => "unexpected_status",
    }
}

impl ApiErrorCode {
    /// The code for an HTTP status (which should not be 2xx).
    ///
    /// ```
    /// use zephr_admin::error::ApiErrorCode;
    ///
    /// assert_eq!(ApiErrorCode::from_status(404), ApiErrorCode::NotFound);
    /// assert_eq!(ApiErrorCode::from_status(503).as_str(), "server_error");
    /// ```
    #[must_use]
    pub fn from_status(status: u16) -> Self {
        match status {
            400 => Self::BadRequest,
            401 => Self::AuthenticationFailed,
            403 => Self::PermissionDenied,
            404 => Self::NotFound,
            409 => Self::Conflict,
            429 => Self::RateLimited,
            500..=599 => Self::ServerError,
            _ => Self::UnexpectedStatus,
        }
    }

    /// What to check first, for the codes where there is something to say.
    #[must_use]
    pub fn hint(self) -> Option<&'static str> {
        match self {
            Self::AuthenticationFailed => Some(
                "the request signature was rejected: check that the access key and secret key \
                 belong to the same key pair, that the clock is accurate (set a clock offset if \
                 it is skewed) and that the body, path and query were sent exactly as signed",
            ),
            Self::PermissionDenied => Some(
                "the admin user that owns the key pair lacks a role or module needed for this \
                 operation, or the operation needs a V4 tenant",
            ),
            Self::RateLimited => {
                Some("too many requests: retry after the delay the server asks for")
            }
            _ => None,
        }
    }
}

/// A non-2xx response from the API.
///
/// ```
/// use zephr_admin::Response;
/// use zephr_admin::error::ApiErrorCode;
///
/// let response = Response::new(429, vec![("x-request-id".into(), "r-1".into())], "slow down");
/// let err = response.error_for_status().unwrap_err();
/// assert_eq!((err.code, err.status), (ApiErrorCode::RateLimited, 429));
/// assert_eq!(err.request_id.as_deref(), Some("r-1"));
/// assert!(err.hint().is_some());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ApiError {
    /// The class of the error, derived from the status.
    pub code: ApiErrorCode,
    /// The HTTP status.
    pub status: u16,
    /// A best-effort message taken from the body.
    pub message: Option<String>,
    /// The request id, when a response header carries one.
    pub request_id: Option<String>,
    /// The raw response body.
    pub body: Vec<u8>,
}

impl ApiError {
    /// What to check first, if there is something to say for this code.
    pub fn hint(&self) -> Option<&'static str> {
        self.code.hint()
    }

    /// The body as text (lossy for invalid UTF-8).
    ///
    /// ```
    /// let err = zephr_admin::Response::new(409, vec![], "already exists").error_for_status().unwrap_err();
    /// assert_eq!(err.body_text(), "already exists");
    /// ```
    #[must_use]
    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (HTTP {})", self.code, self.status)?;
        if let Some(message) = &self.message {
            write!(f, ": {message}")?;
        }
        if let Some(id) = &self.request_id {
            write!(f, " [request id {id}]")?;
        }
        if let Some(hint) = self.hint() {
            write!(f, "; hint: {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

/// A 2xx response whose body does not decode into the expected type.
///
/// ```
/// use zephr_admin::{Error, Response};
///
/// let err = Response::new(200, vec![], "not json").decode::<Vec<u32>>().unwrap_err();
/// let Error::Decode(decode) = err else { panic!("not a decode error") };
/// assert_eq!((decode.status, decode.body.as_slice()), (200, &b"not json"[..]));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DecodeError {
    /// The HTTP status.
    pub status: u16,
    /// Why decoding failed.
    pub message: String,
    /// The raw response body.
    pub body: Vec<u8>,
}

impl DecodeError {
    /// A decode error for a response's status and body; `message` says why
    /// decoding failed.
    pub fn new(status: u16, message: impl Into<String>, body: impl Into<Vec<u8>>) -> Self {
        DecodeError {
            status,
            message: message.into(),
            body: body.into(),
        }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "decode_error: HTTP {} body ({} bytes) did not decode: {}",
            self.status,
            self.body.len(),
            self.message
        )
    }
}

impl std::error::Error for DecodeError {}
