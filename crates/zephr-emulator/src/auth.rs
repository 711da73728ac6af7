//! Signature checks: the server side of `ZEPHR-HMAC-SHA256`, with the
//! timestamp window and nonce replay protection that a real server needs.

use std::collections::HashMap;
use std::fmt;

use serde::Deserialize;
use zephr_admin::Credentials;
use zephr_admin::signing::{ParsedAuthorization, SignableRequest};

use crate::nonces::{NonceStore, NotSpent};

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

/// A request whose signature checks out, with the nonce it has yet to spend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Verified {
    pub access_key: String,
    nonce: String,
    /// The request's timestamp leaves the window after this time.
    expires_ms: u64,
}

/// Key pairs, the window and the nonces spent inside it.
#[derive(Debug)]
pub(crate) struct Verifier {
    keys: HashMap<String, Credentials>,
    window_ms: u64,
    nonces: NonceStore,
}

impl Verifier {
    pub fn new(keys: &[Credentials], window_ms: u64, max_nonces: usize) -> Self {
        Verifier {
            keys: keys
                .iter()
                .map(|c| (c.access_key().to_owned(), c.clone()))
                .collect(),
            window_ms,
            nonces: NonceStore::new(max_nonces),
        }
    }

    /// Checks one request without spending its nonce (see [`Verifier::spend`]).
    /// Checks run in this order: header, access key, timestamp, signature,
    /// nonce; a refused request spends nothing.
    pub fn verify(
        &mut self,
        authorization: Option<&str>,
        request: &SignableRequest<'_>,
        now_ms: u64,
    ) -> Result<Verified, AuthFailure> {
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
        let timestamp = zephr_admin::env::parse_timestamp(parsed.timestamp).map_err(|_| {
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
        if self
            .nonces
            .is_spent(parsed.access_key, parsed.nonce, now_ms)
        {
            return Err(replayed());
        }
        Ok(Verified {
            access_key: parsed.access_key.to_owned(),
            nonce: parsed.nonce.to_owned(),
            // Refused for its timestamp after this, so remembered until then.
            expires_ms: timestamp.saturating_add(self.window_ms),
        })
    }

    /// Spends the nonce of a verified request, once it is about to act.
    /// Checked again here: a concurrent copy of the request may have spent it.
    pub fn spend(&mut self, verified: &Verified, now_ms: u64) -> Result<(), SpendRefused> {
        self.nonces
            .spend(
                &verified.access_key,
                &verified.nonce,
                verified.expires_ms,
                now_ms,
            )
            .map_err(|e| match e {
                NotSpent::Replayed => SpendRefused::Replayed(replayed()),
                NotSpent::Full { retry_after_secs } => SpendRefused::Full { retry_after_secs },
            })
    }
}

/// Why [`Verifier::spend`] refused a verified request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SpendRefused {
    /// Its nonce was spent by a concurrent copy of the request (401 `nonce`).
    Replayed(AuthFailure),
    /// The nonce store is full: 503, try again after this many seconds.
    Full { retry_after_secs: u64 },
}

fn replayed() -> AuthFailure {
    refuse(
        AuthCheck::Nonce,
        "the nonce was already used: every request needs a fresh nonce",
    )
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
#[allow(clippy::unwrap_used, clippy::panic)]
mod tests {
    use super::*;

    const NOW: u64 = 1_700_000_000_000;

    fn signed(nonce: &str, timestamp: u64) -> String {
        let credentials = Credentials::new("ak", "sk").unwrap();
        zephr_admin::signing::sign(&credentials, &request(), timestamp, nonce)
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

    /// Verifies and, when that succeeds, spends the nonce: `None` if accepted.
    fn check(verifier: &mut Verifier, header: Option<&str>, now: u64) -> Option<AuthCheck> {
        let verified = match verifier.verify(header, &request(), now) {
            Ok(verified) => verified,
            Err(failure) => return Some(failure.check),
        };
        match verifier.spend(&verified, now) {
            Ok(()) => None,
            Err(SpendRefused::Replayed(failure)) => Some(failure.check),
            Err(SpendRefused::Full { .. }) => panic!("the nonce store is full"),
        }
    }

    #[test]
    fn each_check() {
        let keys = [Credentials::new("ak", "sk").unwrap()];
        let mut v = Verifier::new(&keys, 300_000, 100);
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
        // None of the refused requests spent a nonce.
        assert_eq!(v.nonces.len(), 0);
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
        assert!(!v.nonces.is_spent("ak", "n1", NOW + 400_000));
        assert_eq!(v.nonces.len(), 0);
    }

    #[test]
    fn verifying_does_not_spend_and_spending_is_once() {
        let keys = [Credentials::new("ak", "sk").unwrap()];
        let mut v = Verifier::new(&keys, 300_000, 1);
        let header = signed("n1", NOW);
        // Two copies of a request verified before either acts: only one spends.
        let first = v.verify(Some(&header), &request(), NOW).unwrap();
        let second = v.verify(Some(&header), &request(), NOW).unwrap();
        assert_eq!(v.nonces.len(), 0);
        assert_eq!(v.spend(&first, NOW), Ok(()));
        assert!(matches!(
            v.spend(&second, NOW),
            Err(SpendRefused::Replayed(AuthFailure {
                check: AuthCheck::Nonce,
                ..
            }))
        ));
        // Full (one entry): a new nonce is refused with a wait, not by forgetting n1.
        let other = v
            .verify(Some(&signed("n2", NOW)), &request(), NOW + 1000)
            .unwrap();
        assert_eq!(
            v.spend(&other, NOW + 1000),
            Err(SpendRefused::Full {
                retry_after_secs: 300
            })
        );
        assert_eq!(
            check(&mut v, Some(&header), NOW + 2000),
            Some(AuthCheck::Nonce)
        );
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
