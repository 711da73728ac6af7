//! `prepareRequest` without the JSON round trip: the client's parts are given
//! once (the JavaScript side keeps a [`Preparer`] while its options stay the
//! same), each call passes only the operation, the params text, the time (in
//! milliseconds, a number) and the nonce, and the descriptor comes back as lines of text, which the host
//! splits instead of parsing JSON.
//!
//! ```
//! use zephr_admin_js::Preparer;
//!
//! let preparer = Preparer::new("ak", "sk", Some("news".into()), None, None);
//! let lines = preparer
//!     .prepare("getUser", r#"{"user_id":"u-1"}"#, 1.7e12, "n-1")
//!     .unwrap();
//! let mut parts = lines.split('\n');
//! assert_eq!(parts.next(), Some("GET"));
//! assert_eq!(parts.next(), Some("https://news.api.zephr.com/v3/users/u-1"));
//! assert_eq!(parts.next(), Some("authorization"));
//! ```

use serde_json::Value;
use zephr_admin::env::timestamp_from_f64;
use zephr_admin::{Client, Env, Error};
use zeroize::Zeroizing;

use crate::messages::{Answer, Descriptor};
use crate::{ClientOptions, parse_json};

/// A client for `prepareRequest`, made from the options' parts; invalid
/// options are reported by the first [`Preparer::prepare`], after the errors
/// of the operation and its params, in the order `prepareRequest` with JSON
/// options reports them.
pub struct Preparer {
    options: ClientOptions,
    client: Result<Client, Error>,
}

impl std::fmt::Debug for Preparer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Preparer").finish_non_exhaustive()
    }
}

impl Preparer {
    /// A client from the options `accessKey`, `secretKey`, `tenant`,
    /// `baseUrl` and `clockOffsetMs`.
    pub fn new(
        access_key: &str,
        secret_key: &str,
        tenant: Option<String>,
        base_url: Option<String>,
        clock_offset_ms: Option<f64>,
    ) -> Self {
        let options = ClientOptions {
            access_key: access_key.to_owned(),
            secret_key: Zeroizing::new(secret_key.to_owned()),
            tenant,
            base_url,
            timestamp: None,
            nonce: None,
            clock_offset_ms,
            default_headers: Vec::new(),
        };
        let client = options.client();
        Preparer { options, client }
    }

    /// The signed request of an operation as [`descriptor_lines`], or the
    /// error answer as JSON text (which the bindings throw).
    pub fn prepare(
        &self,
        operation_id: &str,
        params: &str,
        timestamp_ms: f64,
        nonce: &str,
    ) -> Result<String, String> {
        self.prepared(operation_id, params, timestamp_ms, nonce)
            .map(descriptor_lines)
            .map_err(|e| Answer::<()>::of(Err(e)).to_text())
    }

    fn prepared(
        &self,
        operation_id: &str,
        params: &str,
        timestamp_ms: f64,
        nonce: &str,
    ) -> Result<Descriptor, Error> {
        let params: Value = parse_json(params, "params", "JSON text")?;
        let request = self.options.request(operation_id, &params)?;
        let client = self.client.as_ref().map_err(Clone::clone)?;
        let now_ms = timestamp_from_f64(timestamp_ms)?;
        let prepared = client.prepare(&request, &Env::new(now_ms, nonce.to_owned()))?;
        Ok(Descriptor::from(prepared))
    }
}

/// A descriptor as lines: the method, the URL, each header's name and value,
/// an empty line, then the body (nothing when there is none). Only the body
/// can hold a line break: the core refuses control characters in header
/// values, header names are tokens, and the URL is percent-encoded.
pub fn descriptor_lines(descriptor: Descriptor) -> String {
    let headers: usize = descriptor
        .headers
        .0
        .iter()
        .map(|(name, value)| name.len() + value.len() + 2)
        .sum();
    let body = descriptor.body.as_deref().unwrap_or("");
    let mut out = String::with_capacity(
        descriptor.method.len() + descriptor.url.len() + headers + body.len() + 3,
    );
    for part in [descriptor.method.as_str(), descriptor.url.as_str()] {
        out.push_str(part);
        out.push('\n');
    }
    for (name, value) in &descriptor.headers.0 {
        out.push_str(name);
        out.push('\n');
        out.push_str(value);
        out.push('\n');
    }
    out.push('\n');
    out.push_str(body);
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::prepare as prepare_json;

    /// The lines read back as the JavaScript host reads them.
    fn from_lines(lines: &str) -> Value {
        let mut rest = lines;
        let mut next = || {
            let (line, tail) = rest.split_once('\n').unwrap();
            rest = tail;
            line.to_owned()
        };
        let method = next();
        let url = next();
        let mut headers = serde_json::Map::new();
        loop {
            let name = next();
            if name.is_empty() {
                break;
            }
            headers.insert(name, Value::String(next()));
        }
        let body = if rest.is_empty() {
            Value::Null
        } else {
            Value::String(rest.to_owned())
        };
        json!({"method": method, "url": url, "headers": headers, "body": body})
    }

    fn options_json(tenant: Option<&str>, base_url: Option<&str>, offset: Option<f64>) -> Value {
        let mut options = json!({"accessKey": "ak", "secretKey": "sk", "timestamp": 1_700_000_000_000u64, "nonce": "n-1"});
        if let Some(tenant) = tenant {
            options["tenant"] = json!(tenant);
        }
        if let Some(url) = base_url {
            options["baseUrl"] = json!(url);
        }
        if let Some(offset) = offset {
            options["clockOffsetMs"] = json!(offset);
        }
        options
    }

    /// The same answer as `prepareRequest` with JSON options, success or error.
    fn check_same(
        operation: &str,
        params: Value,
        tenant: Option<&str>,
        base_url: Option<&str>,
        offset: Option<f64>,
    ) {
        let expected: Value = serde_json::from_str(&prepare_json(
            operation,
            &params.to_string(),
            &options_json(tenant, base_url, offset).to_string(),
        ))
        .unwrap();
        let preparer = Preparer::new(
            "ak",
            "sk",
            tenant.map(str::to_owned),
            base_url.map(str::to_owned),
            offset,
        );
        let got = match preparer.prepare(operation, &params.to_string(), 1.7e12, "n-1") {
            Ok(lines) => json!({"ok": from_lines(&lines)}),
            Err(text) => serde_json::from_str(&text).unwrap(),
        };
        assert_eq!(got, expected, "{operation} {params}");
    }

    #[test]
    fn lines_carry_what_the_json_descriptor_carries() {
        let body = json!({"user_id": "u 1/é", "body": {"first_name": "Zoë\nline", "plan": "東京"}});
        check_same("updateUserAttribute", body, Some("news"), None, None);
        check_same(
            "getUser",
            json!({"user_id": "u-1"}),
            None,
            Some("http://127.0.0.1:8080/base"),
            Some(-5000.0),
        );
        check_same(
            "listUsers",
            json!({"rpp": 10, "page": 2}),
            Some("news"),
            None,
            None,
        );
        check_same("listAccounts", json!({}), Some("news"), None, None);
    }

    #[test]
    fn errors_come_in_the_order_of_the_json_path() {
        // Unknown operation before invalid options.
        check_same("noSuchOperation", json!({}), None, None, None);
        check_same("getUser", json!({}), Some("news"), Some("http://x"), None);
        // Invalid params before invalid options.
        check_same("getUser", json!({"nope": 1}), None, None, None);
        check_same("getUser", json!({"user_id": "u"}), None, None, None);
        check_same(
            "getUser",
            json!({"user_id": "u"}),
            Some("news"),
            None,
            Some(1.5),
        );
        check_same(
            "getUser",
            json!({"user_id": "u"}),
            Some("bad tenant!"),
            None,
            None,
        );
    }

    #[test]
    fn timestamps_and_nonces_are_checked() {
        let preparer = Preparer::new("ak", "sk", Some("news".into()), None, None);
        let params = r#"{"user_id":"u"}"#;
        for timestamp in [1.5, -1.0, f64::NAN, f64::INFINITY, 9.1e15] {
            let err = preparer
                .prepare("getUser", params, timestamp, "n")
                .unwrap_err();
            assert!(err.contains("invalid_timestamp"), "{err}");
        }
        let err = preparer
            .prepare("getUser", params, 1.7e12, "n\r\n")
            .unwrap_err();
        assert!(err.contains("invalid_nonce"), "{err}");
        let ok = preparer.prepare("getUser", params, 1.7e12, "n").unwrap();
        assert!(ok.contains("ZEPHR-HMAC-SHA256 ak:1700000000000:n:"), "{ok}");
    }

    #[test]
    fn errors_never_hold_the_secret() {
        let secret = "s3cr3t-\"-value";
        let preparer = Preparer::new("bad key\n", secret, Some("news".into()), None, None);
        let err = preparer
            .prepare("getUser", r#"{"user_id":"u"}"#, 1.7e12, "n")
            .unwrap_err();
        assert!(err.contains("\"err\"") && !err.contains("s3cr3t"), "{err}");
        assert!(!format!("{preparer:?}").contains("s3cr3t"));
    }
}
