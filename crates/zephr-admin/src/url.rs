//! Base URLs and percent-encoding.

use std::fmt;

use crate::credentials::describe_char;
use crate::error::{Error, InputErrorKind};
use crate::signing::check_path_chars;

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
    /// The host is a name of non-empty labels (letters, digits, `-`, `_`), a
    /// dotted-quad IPv4 address or a bracketed IPv6 address; the port, when
    /// given, is 0 to 65535; the path prefix holds no characters or dot
    /// segments that URL parsers would rewrite (it is signed).
    ///
    /// ```
    /// let url = zephr_admin::BaseUrl::parse("http://127.0.0.1:8080/")?;
    /// assert_eq!(url.to_string(), "http://127.0.0.1:8080");
    /// assert!(zephr_admin::BaseUrl::parse("ftp://example.com").is_err());
    /// assert!(zephr_admin::BaseUrl::parse("http://example.com:99999").is_err());
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
        if let Some(c) = authority
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || "-._:[]".contains(*c)))
        {
            return Err(invalid(format!(
                "host contains {}; user info, query and fragment are not allowed",
                describe_char(c)
            )));
        }
        check_authority(authority).map_err(|why| invalid(why.to_owned()))?;
        check_path_chars(path).map_err(|why| invalid(format!("path {why}")))?;
        Ok(BaseUrl {
            origin: format!("{scheme}://{}", authority.to_ascii_lowercase()),
            prefix: path.trim_end_matches('/').to_owned(),
        })
    }

    /// The path prefix (empty, or starting with `/`).
    ///
    /// ```
    /// let url = zephr_admin::BaseUrl::parse("https://proxy.example/zephr/")?;
    /// assert_eq!((url.origin(), url.path_prefix()), ("https://proxy.example", "/zephr"));
    /// # Ok::<(), zephr_admin::Error>(())
    /// ```
    #[must_use]
    pub fn path_prefix(&self) -> &str {
        &self.prefix
    }

    /// Scheme and authority.
    #[must_use]
    pub fn origin(&self) -> &str {
        &self.origin
    }
}

impl fmt::Display for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.origin, self.prefix)
    }
}

/// Checks `host[:port]` (characters already limited to `A-Z a-z 0-9 - . _ : [ ]`),
/// refusing what a URL parser would reject or reinterpret.
fn check_authority(authority: &str) -> Result<(), &'static str> {
    let (host, port) = if let Some(inner) = authority.strip_prefix('[') {
        let (address, after) = inner.split_once(']').ok_or("has an unclosed '['")?;
        if !address.contains(':')
            || !address
                .chars()
                .all(|c| c.is_ascii_hexdigit() || ":.".contains(c))
        {
            return Err("has a bracketed host that is not an IPv6 address");
        }
        match after {
            "" => (address, None),
            _ => (
                address,
                Some(
                    after
                        .strip_prefix(':')
                        .ok_or("has characters after ']' that are not a port")?,
                ),
            ),
        }
    } else {
        let (host, port) = match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        };
        check_host(host)?;
        (host, port)
    };
    if host.is_empty() {
        return Err("has no host");
    }
    if let Some(port) = port {
        let valid = !port.is_empty()
            && port.len() <= 5
            && port.bytes().all(|b| b.is_ascii_digit())
            && port.parse::<u32>().is_ok_and(|p| p <= 65_535);
        if !valid {
            return Err("has a port that is not a number from 0 to 65535");
        }
    }
    Ok(())
}

/// A host name of non-empty labels; when the last label is numeric the URL
/// parser reads an IPv4 address, so it must then be a plain dotted quad.
fn check_host(host: &str) -> Result<(), &'static str> {
    if host.is_empty() {
        return Err("has no host");
    }
    if host.contains(['[', ']']) {
        return Err("has '[' or ']' outside an IPv6 address");
    }
    let labels: Vec<&str> = host.split('.').collect();
    if labels.iter().any(|l| l.is_empty()) {
        return Err("host has an empty label");
    }
    let last = labels.last().copied().unwrap_or_default();
    let numeric = last.bytes().all(|b| b.is_ascii_digit())
        || last.get(..2).is_some_and(|p| p.eq_ignore_ascii_case("0x"));
    if numeric {
        let quad = labels.len() == 4
            && labels.iter().all(|l| {
                l.bytes().all(|b| b.is_ascii_digit())
                    && (l.len() == 1 || !l.starts_with('0'))
                    && l.parse::<u16>().is_ok_and(|n| n <= 255)
            });
        if !quad {
            return Err(
                "host ends in a number but is not a dotted-quad IPv4 address such as 127.0.0.1",
            );
        }
    }
    Ok(())
}

/// Appends `value` percent-encoded: every byte but the RFC 3986 unreserved
/// characters (`A-Z a-z 0-9 - . _ ~`) becomes `%XX`.
///
/// ```
/// let mut out = String::new();
/// zephr_admin::request::encode_component("joe.blow@company.com/ü", &mut out);
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
/// let q = zephr_admin::request::encode_query([("page", "2"), ("search", "a b&c")]);
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
