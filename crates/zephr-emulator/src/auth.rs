//! Signature checks: the server side of `ZEPHR-HMAC-SHA256`, with the
//! timestamp window and nonce replay protection that a real server needs.

use std::collections::{HashMap, VecDeque};
use std::fmt;

use serde::Deserialize;
use zephr_admin::{Credentials, ParsedAuthorization, SignableRequest};

/// The check that refused a request (the `check` member of the 401 body).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuthCheck {
    /// No `Authorization` header, or not a well-formed `ZEPHR-HMAC-SHA256` value.
    AuthorizationHeader,
    /// The access key is not one of the configured key pairs.
    AccessKey,
    /// The timestamp is not a whole number of milliseconds, or is outside the window.
    Timestamp,
    /// The hash does not match the request as received.
    Signature,
    /// The nonce was already used with this access key inside the window.
    Nonce,
}

impl AuthCheck {
    /// `authorization_header`, `access_key`, `timestamp`, `signature` or `nonce`.
    pub fn as_str(self) -> &'static str {
        match self {
            AuthCheck::AuthorizationHeader => "authorization_header",
            AuthCheck::AccessKey => "access_key",
            AuthCheck::Timestamp => "timestamp",
            AuthCheck::Signature => "signature",
            AuthCheck::Nonce => "nonce",
        }
    }
}

impl fmt::Display for AuthCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A refused request: which check failed and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AuthFailure {
    pub check: AuthCheck,
    pub message: String,
}

fn refuse(check: AuthCheck, message: impl Into<String>) -> AuthFailure {
    AuthFailure {
        check,
        message: message.into(),
    }
}

/// The most nonces remembered; the oldest are forgotten first past this.
const MAX_NONCES: usize = 200_000;

/// Key pairs, the window and the nonces seen inside it.
#[derive(Debug)]
pub(crate) struct Verifier {
    keys: HashMap<String, Credentials>,
    window_ms: u64,
    /// (access key, nonce) -> the time after which the nonce may be forgotten.
    seen: HashMap<(String, String), u64>,
    order: VecDeque<(u64, (String, String))>,
}

impl Verifier {
    pub fn new(keys: &[Credentials], window_ms: u64) -> Self {
        Verifier {
            keys: keys
                .iter()
                .map(|c| (c.access_key().to_owned(), c.clone()))
                .collect(),
            window_ms,
            seen: HashMap::new(),
            order: VecDeque::new(),
        }
    }

    /// Checks one request; on success the nonce is remembered and the access
    /// key returned. Checks run in this order: header, access key, timestamp,
    /// signature, nonce (a forged request cannot burn a nonce).
    pub fn verify(
        &mut self,
        authorization: Option<&str>,
        request: &SignableRequest<'_>,
        now_ms: u64,
    ) -> Result<String, AuthFailure> {
        self.forget_expired(now_ms);
        let header = authorization.ok_or_else(|| {
            refuse(
                AuthCheck::AuthorizationHeader,
                "no Authorization header: sign the request with ZEPHR-HMAC-SHA256",
            )
        })?;
        let parsed = ParsedAuthorization::parse(header).ok_or_else(|| {
            refuse(
                AuthCheck::AuthorizationHeader,
                "the Authorization header is not 'ZEPHR-HMAC-SHA256 {accessKey}:{timestamp}:{nonce}:{hash}'",
            )
        })?;
        let credentials = self.keys.get(parsed.access_key).ok_or_else(|| {
            refuse(
                AuthCheck::AccessKey,
                "unknown access key: it is not one of the emulator's key pairs",
            )
        })?;
        let timestamp = zephr_admin::parse_timestamp(parsed.timestamp).map_err(|_| {
            refuse(
                AuthCheck::Timestamp,
                "the timestamp is not a whole number of milliseconds since the Unix epoch",
            )
        })?;
        let skew = timestamp.abs_diff(now_ms);
        if skew > self.window_ms {
            let direction = if timestamp > now_ms {
                "ahead of"
            } else {
                "behind"
            };
            return Err(refuse(
                AuthCheck::Timestamp,
                format!(
                    "the timestamp is {} s {direction} the server clock; at most {} s is accepted (set a clock offset if the clock is skewed)",
                    skew / 1000,
                    self.window_ms / 1000
                ),
            ));
        }
        if !parsed.verify(credentials, request) {
            return Err(refuse(
                AuthCheck::Signature,
                "the signature does not match: the body, path, query, method, timestamp and nonce must be sent exactly as signed, with the secret key of this access key",
            ));
        }
        let key = (parsed.access_key.to_owned(), parsed.nonce.to_owned());
        if self.seen.contains_key(&key) {
            return Err(refuse(
                AuthCheck::Nonce,
                "the nonce was already used: every request needs a fresh nonce",
            ));
        }
        // A nonce must be kept until its timestamp leaves the window.
        let forget_at = timestamp.saturating_add(self.window_ms).max(now_ms);
        self.seen.insert(key.clone(), forget_at);
        self.order.push_back((forget_at, key));
        while self.order.len() > MAX_NONCES {
            if let Some((_, oldest)) = self.order.pop_front() {
                self.seen.remove(&oldest);
            }
        }
        Ok(parsed.access_key.to_owned())
    }

    fn forget_expired(&mut self, now_ms: u64) {
        // Nonces are not pushed in expiry order, so scan the front only while it has
        // expired; the bound above keeps the rest in check.
        while let Some((at, _)) = self.order.front() {
            if *at >= now_ms {
                break;
            }
            if let Some((_, key)) = self.order.pop_front() {
                self.seen.remove(&key);
            }
        }
    }
}

/// A key file that could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyFileError(pub String);

impl fmt::Display for KeyFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for KeyFileError {}

#[derive(Deserialize)]
struct KeyEntry {
    access_key: String,
    secret_key: String,
}

/// The key pairs of a key file: a JSON array of
/// `{"access_key": "...", "secret_key": "..."}` objects.
///
/// ```
/// let keys = zephr_emulator::load_keys(r#"[{"access_key": "ak", "secret_key": "sk"}]"#)?;
/// assert_eq!(keys[0].access_key(), "ak");
/// assert!(zephr_emulator::load_keys("[]").is_err());
/// # Ok::<(), zephr_emulator::KeyFileError>(())
/// ```
pub fn load_keys(text: &str) -> Result<Vec<Credentials>, KeyFileError> {
    let entries: Vec<KeyEntry> = serde_json::from_str(text).map_err(|e| {
        KeyFileError(format!(
            "the key file must be a JSON array of {{\"access_key\", \"secret_key\"}} objects: {e}"
        ))
    })?;
    if entries.is_empty() {
        return Err(KeyFileError("the key file holds no key pair".into()));
    }
    entries
        .into_iter()
        .enumerate()
        .map(|(i, entry)| {
            Credentials::new(entry.access_key, entry.secret_key)
                .map_err(|e| KeyFileError(format!("key pair {}: {e}", i + 1)))
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const NOW: u64 = 1_700_000_000_000;

    fn signed(nonce: &str, timestamp: u64) -> String {
        let credentials = Credentials::new("ak", "sk").unwrap();
        zephr_admin::sign(&credentials, &request(), timestamp, nonce)
            .unwrap()
            .into_authorization()
    }

    fn request() -> SignableRequest<'static> {
        SignableRequest {
            method: "GET",
            path: "/v3/users",
            query: "",
            body: b"",
        }
    }

    fn check(verifier: &mut Verifier, header: Option<&str>, now: u64) -> Option<AuthCheck> {
        verifier
            .verify(header, &request(), now)
            .err()
            .map(|f| f.check)
    }

    #[test]
    fn each_check() {
        let keys = [Credentials::new("ak", "sk").unwrap()];
        let mut v = Verifier::new(&keys, 300_000);
        assert_eq!(
            check(&mut v, None, NOW),
            Some(AuthCheck::AuthorizationHeader)
        );
        assert_eq!(
            check(&mut v, Some("Bearer x"), NOW),
            Some(AuthCheck::AuthorizationHeader)
        );
        let other = signed("n0", NOW).replacen("ak:", "zz:", 1);
        assert_eq!(check(&mut v, Some(&other), NOW), Some(AuthCheck::AccessKey));
        assert_eq!(
            check(&mut v, Some(&signed("n1", NOW - 300_001)), NOW),
            Some(AuthCheck::Timestamp)
        );
        assert_eq!(
            check(&mut v, Some(&signed("n1", NOW + 300_001)), NOW),
            Some(AuthCheck::Timestamp)
        );
        let mut bad = signed("n1", NOW);
        let last = bad.pop().unwrap();
        bad.push(if last == '0' { '1' } else { '0' });
        assert_eq!(check(&mut v, Some(&bad), NOW), Some(AuthCheck::Signature));
        let good = signed("n1", NOW);
        assert_eq!(check(&mut v, Some(&good), NOW), None);
        assert_eq!(
            check(&mut v, Some(&good), NOW + 1000),
            Some(AuthCheck::Nonce)
        );
        // Once the timestamp has left the window the nonce is forgotten, and the
        // request is refused for its timestamp instead.
        assert_eq!(
            check(&mut v, Some(&good), NOW + 400_000),
            Some(AuthCheck::Timestamp)
        );
        assert!(v.seen.is_empty());
    }

    #[test]
    fn key_files() {
        assert!(load_keys("{").is_err());
        assert!(load_keys(r#"[{"access_key": "a:b", "secret_key": "s"}]"#).is_err());
        assert_eq!(
            load_keys(r#"[{"access_key": "a", "secret_key": "s"}]"#)
                .unwrap()
                .len(),
            1
        );
    }
}
