//! Retry decisions as a pure function: the host reports what happened, the
//! policy says whether to try again and after how long.
//!
//! The [call engine](crate::call) applies this policy itself; use it directly
//! only when driving requests without the engine.

use crate::response::Response;

/// What happened to one attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Outcome<'a> {
    /// A response arrived.
    Response {
        /// The HTTP status.
        status: u16,
        /// The `Retry-After` header, if any.
        retry_after: Option<&'a str>,
    },
    /// No response: connection refused or reset, DNS failure, timeout.
    TransportError,
}

impl<'a> Outcome<'a> {
    /// The outcome of a received response.
    ///
    /// ```
    /// use zephr_admin::Response;
    /// use zephr_admin::retry::Outcome;
    ///
    /// let response = Response::new(503, vec![("Retry-After".into(), "3".into())], "");
    /// assert_eq!(
    ///     Outcome::from_response(&response),
    ///     Outcome::Response { status: 503, retry_after: Some("3") }
    /// );
    /// ```
    pub fn from_response(response: &'a Response) -> Self {
        Outcome::Response {
            status: response.status,
            retry_after: response.header("retry-after"),
        }
    }
}

/// Retry, or give up: the two answers a retry decision can have, so this
/// enum is exhaustive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use = "a retry decision must be acted on"]
pub enum RetryDecision {
    /// Send the request again (re-signed, with a fresh nonce) after this many milliseconds.
    RetryAfter(u64),
    /// Do not retry; report the outcome.
    Stop,
}

/// When and how often to retry.
///
/// The default retries idempotent methods (GET, HEAD, PUT, DELETE, OPTIONS) up
/// to 2 times on transport errors, 429, 502, 503 and 504, with exponential
/// backoff and full jitter (500 ms base, 8 s cap), and honours a `Retry-After`
/// of up to 60 s; a longer `Retry-After` stops the retries.
///
/// Start from [`RetryPolicy::default`] or [`RetryPolicy::never`] and change
/// what you need with the `with_*` methods; the fields are public to read.
///
/// ```
/// use zephr_admin::retry::RetryPolicy;
///
/// let policy = RetryPolicy::default().with_max_retries(5).with_base_delay_ms(100);
/// assert_eq!((policy.max_retries, policy.base_delay_ms, policy.max_delay_ms), (5, 100, 8_000));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
#[must_use]
pub struct RetryPolicy {
    /// Retries after the first attempt (0 disables retrying).
    pub max_retries: u32,
    /// Backoff before the first retry, before jitter.
    pub base_delay_ms: u64,
    /// Upper bound of the exponential backoff.
    pub max_delay_ms: u64,
    /// The longest `Retry-After` the policy will wait; a longer one stops.
    pub max_retry_after_ms: u64,
    /// Also retry POST and PATCH (off by default: they may not be idempotent).
    /// A 429 is retried whatever the method: it was refused before processing.
    pub retry_non_idempotent: bool,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 2,
            base_delay_ms: 500,
            max_delay_ms: 8_000,
            max_retry_after_ms: 60_000,
            retry_non_idempotent: false,
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries.
    ///
    /// ```
    /// use zephr_admin::retry::{Outcome, RetryDecision, RetryPolicy};
    ///
    /// let policy = RetryPolicy::never();
    /// assert_eq!(policy.decide("GET", &Outcome::TransportError, 0, 0.5, 0), RetryDecision::Stop);
    /// ```
    pub fn never() -> Self {
        RetryPolicy {
            max_retries: 0,
            ..RetryPolicy::default()
        }
    }

    /// Sets the number of retries after the first attempt (0 disables retrying).
    pub fn with_max_retries(mut self, max_retries: u32) -> Self {
        self.max_retries = max_retries;
        self
    }

    /// Sets the backoff before the first retry, before jitter.
    pub fn with_base_delay_ms(mut self, ms: u64) -> Self {
        self.base_delay_ms = ms;
        self
    }

    /// Sets the upper bound of the exponential backoff.
    pub fn with_max_delay_ms(mut self, ms: u64) -> Self {
        self.max_delay_ms = ms;
        self
    }

    /// Sets the longest `Retry-After` the policy will wait; a longer one stops.
    pub fn with_max_retry_after_ms(mut self, ms: u64) -> Self {
        self.max_retry_after_ms = ms;
        self
    }

    /// Also retries POST and PATCH when `true` (they may not be idempotent).
    ///
    /// ```
    /// use zephr_admin::retry::{Outcome, RetryDecision, RetryPolicy};
    ///
    /// let reset = Outcome::TransportError;
    /// assert_eq!(RetryPolicy::default().decide("POST", &reset, 0, 0.0, 0), RetryDecision::Stop);
    /// let eager = RetryPolicy::default().with_retry_non_idempotent(true);
    /// assert_eq!(eager.decide("POST", &reset, 0, 0.0, 0), RetryDecision::RetryAfter(0));
    /// ```
    pub fn with_retry_non_idempotent(mut self, retry: bool) -> Self {
        self.retry_non_idempotent = retry;
        self
    }

    /// Decides after a failed attempt.
    ///
    /// `retries_so_far` is 0 after the first attempt; `jitter` is a uniform
    /// random number in `[0, 1)` from the host (values outside are clamped);
    /// `now_ms` is only used to resolve a `Retry-After` HTTP date.
    ///
    /// ```
    /// use zephr_admin::retry::{Outcome, RetryDecision, RetryPolicy};
    ///
    /// let policy = RetryPolicy::default();
    /// let busy = Outcome::Response { status: 503, retry_after: Some("2") };
    /// assert_eq!(policy.decide("GET", &busy, 0, 0.5, 0), RetryDecision::RetryAfter(2_000));
    /// assert_eq!(policy.decide("POST", &busy, 0, 0.5, 0), RetryDecision::Stop);
    /// // A 429 was refused before processing: retried whatever the method.
    /// let limited = Outcome::Response { status: 429, retry_after: Some("1") };
    /// assert_eq!(policy.decide("POST", &limited, 0, 0.5, 0), RetryDecision::RetryAfter(1_000));
    /// let reset = Outcome::TransportError;
    /// assert_eq!(policy.decide("GET", &reset, 1, 0.5, 0), RetryDecision::RetryAfter(500));
    /// assert_eq!(policy.decide("GET", &reset, 2, 0.5, 0), RetryDecision::Stop);
    /// ```
    pub fn decide(
        &self,
        method: &str,
        outcome: &Outcome<'_>,
        retries_so_far: u32,
        jitter: f64,
        now_ms: u64,
    ) -> RetryDecision {
        // A 429 is a refusal before any processing (rate limited), so it is
        // safe to send again whatever the method.
        let rate_limited = matches!(*outcome, Outcome::Response { status: 429, .. });
        if retries_so_far >= self.max_retries || !(rate_limited || self.method_is_retryable(method))
        {
            return RetryDecision::Stop;
        }
        let retry_after = match *outcome {
            Outcome::TransportError => None,
            Outcome::Response {
                status: 429 | 502 | 503 | 504,
                retry_after,
            } => retry_after,
            Outcome::Response { .. } => return RetryDecision::Stop,
        };
        match retry_after.and_then(|value| parse_retry_after(value, now_ms)) {
            Some(wait) if wait > self.max_retry_after_ms => RetryDecision::Stop,
            Some(wait) => RetryDecision::RetryAfter(wait),
            None => RetryDecision::RetryAfter(self.backoff_ms(retries_so_far, jitter)),
        }
    }

    fn method_is_retryable(&self, method: &str) -> bool {
        self.retry_non_idempotent
            || ["GET", "HEAD", "PUT", "DELETE", "OPTIONS"]
                .iter()
                .any(|m| m.eq_ignore_ascii_case(method))
    }

    /// Full jitter: uniform in `[0, min(cap, base * 2^n)]`.
    fn backoff_ms(&self, retries_so_far: u32, jitter: f64) -> u64 {
        let ceiling = self
            .base_delay_ms
            .saturating_mul(1u64.checked_shl(retries_so_far).unwrap_or(u64::MAX))
            .min(self.max_delay_ms);
        let jitter = if jitter.is_finite() {
            jitter.clamp(0.0, 1.0)
        } else {
            1.0
        };
        // Both factors are bounded, so the product fits; `as` saturates anyway.
        (ceiling as f64 * jitter) as u64
    }
}

/// Milliseconds to wait for a `Retry-After` value: delay-seconds or an HTTP date.
///
/// ```
/// use zephr_admin::retry::parse_retry_after;
///
/// assert_eq!(parse_retry_after("2", 0), Some(2_000));
/// // 784111777000 ms is Sun, 06 Nov 1994 08:49:37 GMT.
/// assert_eq!(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", 784_111_776_000), Some(1_000));
/// assert_eq!(parse_retry_after("soon", 0), None);
/// ```
#[must_use]
pub fn parse_retry_after(value: &str, now_ms: u64) -> Option<u64> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        return Some(
            value
                .parse::<u64>()
                .unwrap_or(u64::MAX)
                .saturating_mul(1000),
        );
    }
    let at_ms = parse_http_date(value)?;
    Some(at_ms.saturating_sub(now_ms))
}

/// Parses an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`) into epoch milliseconds.
///
/// ```
/// use zephr_admin::retry::parse_http_date;
///
/// assert_eq!(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), Some(784_111_777_000));
/// assert_eq!(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"), None);
/// ```
#[must_use]
pub fn parse_http_date(value: &str) -> Option<u64> {
    let (_weekday, rest) = value.split_once(", ")?;
    let mut parts = rest.split(' ');
    let day: u64 = parts.next()?.parse().ok()?;
    let month = match parts.next()? {
        "Jan" => 1,
        "Feb" => 2,
        "Mar" => 3,
        "Apr" => 4,
        "May" => 5,
        "Jun" => 6,
        "Jul" => 7,
        "Aug" => 8,
        "Sep" => 9,
        "Oct" => 10,
        "Nov" => 11,
        "Dec" => 12,
        _ => return None,
    };
    let year: u64 = parts.next()?.parse().ok()?;
    let mut clock = parts.next()?.split(':').map(|p| p.parse::<u64>().ok());
    let (hour, minute, second) = (clock.next()??, clock.next()??, clock.next()??);
    if parts.next()? != "GMT" || parts.next().is_some() || clock.next().is_some() {
        return None;
    }
    if !(1970..=9999).contains(&year)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let days = days_from_civil(year, month, day);
    Some(((days * 24 + hour) * 60 + minute) * 60_000 + second * 1000)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (years from 1970).
fn days_from_civil(year: u64, month: u64, day: u64) -> u64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y / 400;
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}
