//! Time and randomness, handed in by the host.
//!
//! The core never reads a clock or draws randomness on its own: every request
//! is prepared from an [`Env`]. Hosts that want safe defaults call
//! [`Env::from_system`] (feature `os-env`, on by default), which reads the system
//! clock and draws a 128-bit nonce from the operating system.

use crate::error::Error;

/// The moment a request is signed and its nonce.
///
/// Build one with [`Env::new`] or [`Env::from_system`]; the fields are public
/// to read.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Env {
    /// Milliseconds since the Unix epoch, before any clock offset is applied.
    pub now_ms: u64,
    /// A value that is unique per request (visible ASCII, no `:`).
    pub nonce: String,
}

impl Env {
    /// An environment with a fixed time and nonce (tests, replays, hosts with their own sources).
    ///
    /// ```
    /// let env = zephr_admin::Env::new(1_700_000_000_000, "42");
    /// assert_eq!(env.now_ms, 1_700_000_000_000);
    /// ```
    pub fn new(now_ms: u64, nonce: impl Into<String>) -> Self {
        Env {
            now_ms,
            nonce: nonce.into(),
        }
    }

    /// The system clock and a fresh random nonce: 128 bits from the operating
    /// system (`getrandom`; `crypto.getRandomValues` on `wasm32-unknown-unknown`),
    /// as 32 lowercase hex digits.
    ///
    /// ```
    /// let a = zephr_admin::Env::from_system()?;
    /// let b = zephr_admin::Env::from_system()?;
    /// assert_eq!(a.nonce.len(), 32);
    /// assert_ne!(a.nonce, b.nonce);
    /// # Ok::<(), zephr_admin::Error>(())
    /// ```
    #[cfg(feature = "os-env")]
    #[cfg_attr(docsrs, doc(cfg(feature = "os-env")))]
    pub fn from_system() -> Result<Self, Error> {
        Ok(Env {
            now_ms: system_now_ms(),
            nonce: random_nonce()?,
        })
    }
}

/// 128 random bits from the operating system, as 32 lowercase hex digits.
///
/// ```
/// let nonce = zephr_admin::env::random_nonce()?;
/// assert!(nonce.len() == 32 && nonce.bytes().all(|b| b.is_ascii_hexdigit()));
/// # Ok::<(), zephr_admin::Error>(())
/// ```
#[cfg(feature = "os-env")]
#[cfg_attr(docsrs, doc(cfg(feature = "os-env")))]
pub fn random_nonce() -> Result<String, Error> {
    let mut bytes = [0u8; 16];
    getrandom::getrandom(&mut bytes).map_err(|e| {
        Error::input(
            crate::error::InputErrorKind::EntropyUnavailable,
            format!("no randomness for a nonce: {e}"),
        )
    })?;
    let mut nonce = String::with_capacity(32);
    crate::url::push_hex(&mut nonce, &bytes);
    Ok(nonce)
}

/// Milliseconds since the Unix epoch from the system clock (0 if the clock is before 1970).
///
/// ```
/// // Later than 2023-11-14, the day this scheme's test vectors were made.
/// assert!(zephr_admin::env::system_now_ms() > 1_700_000_000_000);
/// ```
#[cfg(feature = "os-env")]
#[cfg_attr(docsrs, doc(cfg(feature = "os-env")))]
#[must_use]
pub fn system_now_ms() -> u64 {
    #[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
    {
        // `SystemTime::now` panics on wasm32-unknown-unknown; ask the JS host.
        let ms = js_sys::Date::now();
        if ms.is_finite() && ms > 0.0 {
            ms as u64
        } else {
            0
        }
    }
    #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
    {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
    }
}

/// A timestamp given as text: plain decimal milliseconds, no sign, spaces or
/// leading zeros (any of those would change the signed text).
///
/// ```
/// assert_eq!(zephr_admin::env::parse_timestamp("1700000000000")?, 1_700_000_000_000);
/// assert!(zephr_admin::env::parse_timestamp("01").is_err());
/// # Ok::<(), zephr_admin::Error>(())
/// ```
pub fn parse_timestamp(text: &str) -> Result<u64, Error> {
    let canonical = !text.is_empty()
        && text.bytes().all(|b| b.is_ascii_digit())
        && (text == "0" || !text.starts_with('0'));
    canonical
        .then(|| text.parse::<u64>().ok())
        .flatten()
        .ok_or_else(|| invalid_timestamp(text))
}

/// A timestamp given as a JavaScript number: a non-negative safe integer.
///
/// ```
/// use zephr_admin::env::timestamp_from_f64;
///
/// assert_eq!(timestamp_from_f64(1_700_000_000_000.0)?, 1_700_000_000_000);
/// assert_eq!(timestamp_from_f64(1.5).unwrap_err().code(), "invalid_timestamp");
/// assert!(timestamp_from_f64(f64::NAN).is_err());
/// # Ok::<(), zephr_admin::Error>(())
/// ```
pub fn timestamp_from_f64(ms: f64) -> Result<u64, Error> {
    const MAX_SAFE: f64 = 9_007_199_254_740_991.0;
    if ms.is_finite() && ms >= 0.0 && ms.fract() == 0.0 && ms <= MAX_SAFE {
        Ok(ms as u64)
    } else {
        // Not echoed: formatting floats would pull float printing into the wasm module.
        Err(invalid_timestamp("the given number"))
    }
}

fn invalid_timestamp(text: &str) -> Error {
    let shown: String = text.chars().take(40).collect();
    Error::input(
        crate::error::InputErrorKind::InvalidTimestamp,
        format!("'{shown}' is not a whole number of milliseconds since the Unix epoch"),
    )
}

/// Applies a clock offset (positive when the local clock is behind the server's).
pub(crate) fn apply_offset(now_ms: u64, offset_ms: i64) -> u64 {
    now_ms.saturating_add_signed(offset_ms)
}
