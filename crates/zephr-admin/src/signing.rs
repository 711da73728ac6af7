//! The `ZEPHR-HMAC-SHA256` scheme.
//!
//! ```text
//! Authorization: ZEPHR-HMAC-SHA256 {accessKey}:{timestamp}:{nonce}:{hash}
//! hash = lowercase hex(SHA-256(secretKey ‖ body ‖ path ‖ query ‖ METHOD ‖ timestamp ‖ nonce))
//! ```
//!
//! Despite its name the scheme is a plain SHA-256 with the secret as a prefix,
//! not RFC 2104 HMAC; it is implemented exactly as documented.
//!
//! A host signs with [`sign`] (or lets [`Client::prepare`](crate::Client::prepare)
//! do it); a server or a test double verifies with [`ParsedAuthorization`].

use sha2::{Digest, Sha256};

use crate::credentials::{Credentials, check_header_field, describe_char};
use crate::error::{Error, InputErrorKind};
use crate::url::push_hex;

/// The scheme token that starts the `Authorization` header value.
pub const SCHEME: &str = "ZEPHR-HMAC-SHA256";

/// The parts of a request that the signature covers.
///
/// `path` and `query` must be exactly what goes on the wire (already
/// percent-encoded, query without the leading `?`); `body` must be the exact
/// bytes sent.
///
/// The four fields are exactly what the scheme hashes besides the secret,
/// timestamp and nonce, so this struct is built with a literal and will not
/// grow (a new field would be a new scheme).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignableRequest<'a> {
    /// HTTP method; upper-cased before hashing.
    pub method: &'a str,
    /// Path without scheme, host or query, starting with `/`.
    pub path: &'a str,
    /// Query string without the leading `?`; empty when there is none.
    pub query: &'a str,
    /// The exact body bytes; empty when there is no body.
    pub body: &'a [u8],
}

/// A computed signature (see [`sign`] for an example).
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use = "a signature does nothing until its header is sent"]
pub struct Signature {
    authorization: String,
    hash_start: usize,
}

impl Signature {
    /// The complete `Authorization` header value.
    #[must_use]
    pub fn authorization(&self) -> &str {
        &self.authorization
    }

    /// The 64 lowercase hex digits of the hash.
    #[must_use]
    pub fn hash(&self) -> &str {
        self.authorization
            .get(self.hash_start..)
            .unwrap_or_default()
    }

    /// Consumes the signature, returning the header value.
    #[must_use]
    pub fn into_authorization(self) -> String {
        self.authorization
    }
}

/// Signs one request.
///
/// Refuses (with [`InputErrorKind`]s) any input that would make an ambiguous
/// or forgeable header: a nonce that is empty or holds `:`, whitespace or
/// control characters, a method that is not a token, a path that does not
/// start with `/` or a path or query with characters that would not be sent
/// byte for byte.
///
/// ```
/// use zephr_admin::Credentials;
/// use zephr_admin::signing::{SignableRequest, sign};
///
/// let credentials = Credentials::new(
///     "a3f1c2d4-5b6e-4f70-8a9b-0c1d2e3f4a5b",
///     "9b8c7d6e-5f4a-4b3c-8d2e-1f0a9b8c7d6e",
/// )?;
/// let request = SignableRequest { method: "GET", path: "/v3/accounts", query: "page=1&rpp=50", body: b"" };
/// let signature = sign(&credentials, &request, 1_700_000_000_456, "1234567890")?;
/// assert_eq!(
///     signature.authorization(),
///     "ZEPHR-HMAC-SHA256 a3f1c2d4-5b6e-4f70-8a9b-0c1d2e3f4a5b:1700000000456:1234567890:\
///      e2f7fbacbd781d41272dc6a0a44ff27948849a9dbe1a6bc59ad57b2544b57c89"
/// );
/// # Ok::<(), zephr_admin::Error>(())
/// ```
pub fn sign(
    credentials: &Credentials,
    request: &SignableRequest<'_>,
    timestamp_ms: u64,
    nonce: &str,
) -> Result<Signature, Error> {
    let method = normalize_method(request.method)?;
    check_path(request.path)?;
    check_query(request.query)?;
    check_header_field(nonce, InputErrorKind::InvalidNonce, "nonce")?;
    Ok(sign_checked(
        credentials,
        &method,
        request,
        timestamp_ms,
        nonce,
    ))
}

/// Signs parts that were already checked (the request builder produces only valid ones).
pub(crate) fn sign_checked(
    credentials: &Credentials,
    method: &str,
    request: &SignableRequest<'_>,
    timestamp_ms: u64,
    nonce: &str,
) -> Signature {
    let timestamp = timestamp_ms.to_string();
    let digest = digest(credentials, method, request, &timestamp, nonce);

    let access_key = credentials.access_key();
    let mut authorization =
        String::with_capacity(SCHEME.len() + access_key.len() + timestamp.len() + nonce.len() + 68);
    for part in [SCHEME, " ", access_key, ":", &timestamp, ":", nonce, ":"] {
        authorization.push_str(part);
    }
    let hash_start = authorization.len();
    push_hex(&mut authorization, digest.as_ref());
    Signature {
        authorization,
        hash_start,
    }
}

/// SHA-256 over the seven parts, in the documented order, without separators.
fn digest(
    credentials: &Credentials,
    method: &str,
    request: &SignableRequest<'_>,
    timestamp: &str,
    nonce: &str,
) -> impl AsRef<[u8]> {
    Sha256::new()
        .chain_update(credentials.secret_key())
        .chain_update(request.body)
        .chain_update(request.path.as_bytes())
        .chain_update(request.query.as_bytes())
        .chain_update(method.as_bytes())
        .chain_update(timestamp.as_bytes())
        .chain_update(nonce.as_bytes())
        .finalize()
}

/// The four fields of a `ZEPHR-HMAC-SHA256` header, as received.
///
/// Like [`SignableRequest`], fixed by the scheme: it will not grow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParsedAuthorization<'a> {
    /// The access key.
    pub access_key: &'a str,
    /// The timestamp text (hashed exactly as received).
    pub timestamp: &'a str,
    /// The nonce.
    pub nonce: &'a str,
    /// The hash the client computed.
    pub hash: &'a str,
}

impl<'a> ParsedAuthorization<'a> {
    /// Splits a header value into its fields; `None` if it is not a
    /// well-formed `ZEPHR-HMAC-SHA256` value with four non-empty fields.
    ///
    /// ```
    /// let parsed = zephr_admin::signing::ParsedAuthorization::parse("ZEPHR-HMAC-SHA256 ak:17:n:ab").unwrap();
    /// assert_eq!((parsed.access_key, parsed.timestamp, parsed.nonce, parsed.hash), ("ak", "17", "n", "ab"));
    /// assert!(zephr_admin::signing::ParsedAuthorization::parse("Bearer x").is_none());
    /// ```
    pub fn parse(header: &'a str) -> Option<Self> {
        let fields = header.strip_prefix(SCHEME)?.strip_prefix(' ')?;
        let mut parts = fields.split(':');
        let parsed = ParsedAuthorization {
            access_key: parts.next()?,
            timestamp: parts.next()?,
            nonce: parts.next()?,
            hash: parts.next()?,
        };
        let complete = parts.next().is_none()
            && [
                parsed.access_key,
                parsed.timestamp,
                parsed.nonce,
                parsed.hash,
            ]
            .iter()
            .all(|f| !f.is_empty());
        complete.then_some(parsed)
    }

    /// Whether the hash matches `credentials` and the received request
    /// (compared in constant time), and the body can be text. The server side
    /// of [`sign`]; [`check`](Self::check) says why a request was refused.
    ///
    /// # The scheme's weakness: length extension
    ///
    /// The hash is SHA-256 over the secret followed by the request, not an
    /// HMAC. Anyone who sees one signed request (in a log, a trace, a proxy
    /// without TLS) knows the hash function's state after those bytes and can
    /// continue it: a new request whose body is the old signed bytes, SHA-256
    /// padding and then anything, followed by a new path, query, method,
    /// timestamp and nonce, gets a valid hash without the secret. The padding
    /// (`0x80`, zero bytes, the length) always lands in the forged body, so a
    /// body that is not valid UTF-8 or holds a NUL byte can only be a forgery
    /// here, and `verify` refuses it whatever its hash. No documented operation
    /// takes a binary body.
    ///
    /// This closes the attack for verifiers built on this crate; a server that
    /// checks only the hash stays exposed. Keep `Authorization` headers out of
    /// logs and traces, and send requests over TLS only.
    ///
    /// ```
    /// use zephr_admin::Credentials;
    /// use zephr_admin::signing::{ParsedAuthorization, SignableRequest, sign};
    ///
    /// let credentials = Credentials::new("ak", "sk")?;
    /// let request = SignableRequest { method: "GET", path: "/v3/users", query: "", body: b"" };
    /// let header = sign(&credentials, &request, 1_700_000_000_000, "n")?.into_authorization();
    /// let parsed = ParsedAuthorization::parse(&header).unwrap();
    /// assert!(parsed.verify(&credentials, &request));
    /// assert!(!parsed.verify(&credentials, &SignableRequest { path: "/v3/user", ..request }));
    /// # Ok::<(), zephr_admin::Error>(())
    /// ```
    #[must_use = "a request whose signature is not checked must not be served"]
    pub fn verify(&self, credentials: &Credentials, request: &SignableRequest<'_>) -> bool {
        self.check(credentials, request).is_ok()
    }

    /// Like [`verify`](Self::verify), with the reason for a refusal. The body
    /// is checked first, so a forgery is refused before any hashing.
    ///
    /// ```
    /// use zephr_admin::Credentials;
    /// use zephr_admin::signing::{ParsedAuthorization, Refusal, SignableRequest, sign};
    ///
    /// let credentials = Credentials::new("ak", "sk")?;
    /// let request = SignableRequest { method: "POST", path: "/v3/users", query: "", body: b"{}\x80\0" };
    /// let header = sign(&credentials, &request, 1_700_000_000_000, "n")?.into_authorization();
    /// let parsed = ParsedAuthorization::parse(&header).unwrap();
    /// assert_eq!(parsed.check(&credentials, &request), Err(Refusal::BodyNotText));
    /// # Ok::<(), zephr_admin::Error>(())
    /// ```
    pub fn check(
        &self,
        credentials: &Credentials,
        request: &SignableRequest<'_>,
    ) -> Result<(), Refusal> {
        if !is_text(request.body) {
            return Err(Refusal::BodyNotText);
        }
        let method = request.method.to_ascii_uppercase();
        let mut expected = String::with_capacity(64);
        push_hex(
            &mut expected,
            digest(credentials, &method, request, self.timestamp, self.nonce).as_ref(),
        );
        let given = self.hash.as_bytes();
        let equal = given.len() == expected.len()
            && given
                .iter()
                .zip(expected.as_bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0;
        if equal {
            Ok(())
        } else {
            Err(Refusal::Mismatch)
        }
    }
}

/// Why [`ParsedAuthorization::check`] refused a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Refusal {
    /// The body is not valid UTF-8 or holds a NUL byte: it can only be a
    /// length-extension forgery (see [`ParsedAuthorization::verify`]).
    BodyNotText,
    /// The hash does not match the request and the credentials.
    Mismatch,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Refusal::BodyNotText => {
                "the body is not UTF-8 text without NUL bytes, as a length-extension forgery's is"
            }
            Refusal::Mismatch => "the hash does not match the request",
        })
    }
}

impl std::error::Error for Refusal {}

/// Valid UTF-8 without NUL: what SHA-256 padding can never be.
fn is_text(body: &[u8]) -> bool {
    !body.contains(&0) && std::str::from_utf8(body).is_ok()
}

/// Upper-cases a method after checking it is an RFC 9110 token.
pub(crate) fn normalize_method(method: &str) -> Result<String, Error> {
    if method.is_empty() || !method.bytes().all(is_tchar) {
        return Err(Error::input(
            InputErrorKind::InvalidMethod,
            "the method must be a non-empty HTTP token such as GET or POST",
        ));
    }
    Ok(method.to_ascii_uppercase())
}

/// RFC 9110 `tchar`: the characters of a method or header name.
pub(crate) fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// Characters that the WHATWG URL parser (and so `fetch`) percent-encodes or
/// rewrites in a path: sending them raw would send other bytes than the
/// signed ones. Found by round-tripping every visible ASCII byte through
/// `new URL(...)`.
const PATH_REWRITTEN: &[char] = &['"', '<', '>', '\\', '`', '{', '}'];

/// The same for a query (of an `http(s)` URL).
const QUERY_REWRITTEN: &[char] = &['"', '\'', '<', '>'];

/// A character that may appear raw in an encoded path or query: visible ASCII
/// other than `#` (which would start a fragment).
fn is_url_char(c: char) -> bool {
    c.is_ascii_graphic() && c != '#'
}

/// A segment that URL parsers resolve away: `.`, `..`, or either spelled with
/// `%2e` (any case).
fn is_dot_segment(segment: &str) -> bool {
    // One `.` or `%2e` off the front.
    fn strip_dot(s: &str) -> Option<&str> {
        s.strip_prefix('.').or_else(|| {
            s.get(..3)
                .filter(|p| p.eq_ignore_ascii_case("%2e"))
                .and_then(|_| s.get(3..))
        })
    }
    strip_dot(segment).is_some_and(|rest| rest.is_empty() || strip_dot(rest) == Some(""))
}

/// Checks a path (or path prefix): raw characters that are sent unchanged,
/// no `?`, no dot segments.
pub(crate) fn check_path_chars(path: &str) -> Result<(), String> {
    if let Some(c) = path
        .chars()
        .find(|&c| !is_url_char(c) || c == '?' || PATH_REWRITTEN.contains(&c))
    {
        return Err(format!(
            "contains {}; give the query separately and percent-encode everything else",
            describe_char(c)
        ));
    }
    if path.split('/').any(is_dot_segment) {
        return Err(
            "contains a '.' or '..' segment (or one spelled with %2e), which URL parsers resolve away"
                .to_owned(),
        );
    }
    Ok(())
}

pub(crate) fn check_path(path: &str) -> Result<(), Error> {
    if !path.starts_with('/') {
        return Err(Error::input(
            InputErrorKind::InvalidPath,
            "the path must start with '/'",
        ));
    }
    check_path_chars(path)
        .map_err(|why| Error::input(InputErrorKind::InvalidPath, format!("the path {why}")))
}

pub(crate) fn check_query(query: &str) -> Result<(), Error> {
    if query.starts_with('?') {
        return Err(Error::input(
            InputErrorKind::InvalidQuery,
            "the query must not start with '?': the signature covers the query without it",
        ));
    }
    if let Some(c) = query
        .chars()
        .find(|&c| !is_url_char(c) || QUERY_REWRITTEN.contains(&c))
    {
        return Err(Error::input(
            InputErrorKind::InvalidQuery,
            format!("the query contains {}; percent-encode it", describe_char(c)),
        ));
    }
    Ok(())
}
