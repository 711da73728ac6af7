//! Base URLs and percent-encoding.

use std::fmt;

use crate::credentials::describe_char;
use crate::error::{Error, InputErrorKind};

/// Where requests go: `https://{tenant}.api.zephr.com` or any `http(s)://` base
/// URL (a proxy, the local emulator, a test server).
///
/// A base URL may carry a path prefix (`https://proxy.example/zephr`); the
/// prefix is then part of the path that is sent, and so of the signed path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrl {
    /// Scheme and authority, e.g. `https://news.api.zephr.com`.
    origin: String,
    /// Empty or `/segment...` without a trailing slash.
    prefix: String,
}

impl BaseUrl {
    /// The production URL of a tenant: `https://{tenant}.api.zephr.com`.
    ///
    /// The tenant id must be a DNS label (letters, digits and `-`, at most 63,
    /// not starting or ending with `-`); it is lower-cased.
    ///
    /// ```
    /// let url = zephr_admin::BaseUrl::tenant("News")?;
    /// assert_eq!(url.to_string(), "https://news.api.zephr.com");
    /// assert!(zephr_admin::BaseUrl::tenant("evil.com/x").is_err());
    /// # Ok::<(), zephr_admin::Error>(())
    /// ```
    pub fn tenant(tenant: &str) -> Result<Self, Error> {
        let label = tenant.as_bytes();
        let valid = !label.is_empty()
            && label.len() <= 63
            && label
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || *b == b'-')
            && label.first() != Some(&b'-')
            && label.last() != Some(&b'-');
        if !valid {
            return Err(Error::input(
                InputErrorKind::InvalidTenant,
                "the tenant id must be a DNS label: 1 to 63 letters, digits or '-', not starting or ending with '-'",
            ));
        }
        Ok(BaseUrl {
            origin: format!("https://{}.api.zephr.com", tenant.to_ascii_lowercase()),
            prefix: String::new(),
        })
    }

    /// Any `http://` or `https://` URL without query, fragment or user info.
    ///
    /// ```
    /// let url = zephr_admin::BaseUrl::parse("http://127.0.0.1:8080/")?;
    /// assert_eq!(url.to_string(), "http://127.0.0.1:8080");
    /// assert!(zephr_admin::BaseUrl::parse("ftp://example.com").is_err());
    /// # Ok::<(), zephr_admin::Error>(())
    /// ```
    pub fn parse(url: &str) -> Result<Self, Error> {
        let invalid = |why: String| {
            Error::input(
                InputErrorKind::InvalidBaseUrl,
                format!("the base URL {why}"),
            )
        };
        let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
        let scheme = if lower.starts_with("https://") {
            "https"
        } else if lower.starts_with("http://") {
            "http"
        } else {
            return Err(invalid("must start with http:// or https://".to_owned()));
        };
        let rest = url.get(scheme.len() + 3..).unwrap_or_default();
        let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        if authority.is_empty() {
            return Err(invalid("has no host".to_owned()));
        }
        if let Some(c) = authority
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || "-._:[]".contains(*c)))
        {
            return Err(invalid(format!(
                "host contains {}; user info, query and fragment are not allowed",
                describe_char(c)
            )));
        }
        if let Some(c) = path
            .chars()
            .find(|c| !c.is_ascii_graphic() || *c == '?' || *c == '#')
        {
            return Err(invalid(format!(
                "path contains {}; query and fragment are not allowed",
                describe_char(c)
            )));
        }
        Ok(BaseUrl {
            origin: format!("{scheme}://{}", authority.to_ascii_lowercase()),
            prefix: path.trim_end_matches('/').to_owned(),
        })
    }

    /// The path prefix (empty, or starting with `/`).
    pub fn path_prefix(&self) -> &str {
        &self.prefix
    }

    /// Scheme and authority.
    pub fn origin(&self) -> &str {
        &self.origin
    }
}

impl fmt::Display for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.origin, self.prefix)
    }
}

/// Appends `value` percent-encoded: every byte but the RFC 3986 unreserved
/// characters (`A-Z a-z 0-9 - . _ ~`) becomes `%XX`.
///
/// ```
/// let mut out = String::new();
/// zephr_admin::encode_component("joe.blow@company.com/ü", &mut out);
/// assert_eq!(out, "joe.blow%40company.com%2F%C3%BC");
/// ```
pub fn encode_component(value: &str, out: &mut String) {
    for &b in value.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(hex_digit(b >> 4).to_ascii_uppercase());
            out.push(hex_digit(b).to_ascii_uppercase());
        }
    }
}

/// Appends `bytes` as lowercase hex.
pub(crate) fn push_hex(out: &mut String, bytes: &[u8]) {
    for byte in bytes {
        out.push(hex_digit(byte >> 4));
        out.push(hex_digit(*byte));
    }
}

/// The lowercase hex digit of the low four bits of `nibble`.
fn hex_digit(nibble: u8) -> char {
    char::from_digit(u32::from(nibble & 0x0f), 16).unwrap_or('0')
}

/// Encodes ordered query pairs as `k=v&k=v`, each side with [`encode_component`].
///
/// ```
/// let q = zephr_admin::encode_query([("page", "2"), ("search", "a b&c")]);
/// assert_eq!(q, "page=2&search=a%20b%26c");
/// ```
pub fn encode_query<K: AsRef<str>, V: AsRef<str>>(
    pairs: impl IntoIterator<Item = (K, V)>,
) -> String {
    let mut out = String::new();
    for (name, value) in pairs {
        if !out.is_empty() {
            out.push('&');
        }
        encode_component(name.as_ref(), &mut out);
        out.push('=');
        encode_component(value.as_ref(), &mut out);
    }
    out
}
