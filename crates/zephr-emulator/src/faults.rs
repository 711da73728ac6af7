//! Fault injection: 429 with `Retry-After`, 503, slow answers and malformed
//! bodies, by rate, by queue or per request with a header.

use std::collections::VecDeque;
use std::time::Duration;

use crate::reply::Reply;
use crate::util::Rng;

/// The request header that injects faults into that one request, e.g.
/// `429`, `503`, `malformed`, `slow=250` (milliseconds) or a comma-separated
/// list such as `slow=100, 503, retry-after=0`. Honoured only on requests that
/// pass the signature checks.
pub const FAULT_HEADER: &str = "x-zephr-emulator-fault";

/// The longest delay a fault may ask for.
const MAX_DELAY: Duration = Duration::from_secs(30);

/// One injected fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// 429 Too Many Requests with `Retry-After: {retry_after_secs}`.
    RateLimited {
        /// The `Retry-After` value in seconds.
        retry_after_secs: u64,
    },
    /// 503 Service Unavailable with `Retry-After: {retry_after_secs}`.
    Unavailable {
        /// The `Retry-After` value in seconds.
        retry_after_secs: u64,
    },
    /// 200 with a truncated JSON body.
    Malformed,
    /// The answer comes after this delay (at most 30 s).
    Slow(Duration),
}

/// Faults injected at random, each with its own rate in `[0, 1]`.
#[derive(Debug, Clone, PartialEq)]
pub struct FaultConfig {
    /// Share of requests answered 429.
    pub rate_429: f64,
    /// Share of requests answered 503.
    pub rate_503: f64,
    /// Share of requests answered with a malformed body.
    pub rate_malformed: f64,
    /// Delay before every answer.
    pub delay: Duration,
    /// `Retry-After` seconds of injected 429 and 503 answers.
    pub retry_after_secs: u64,
}

impl Default for FaultConfig {
    fn default() -> Self {
        FaultConfig {
            rate_429: 0.0,
            rate_503: 0.0,
            rate_malformed: 0.0,
            delay: Duration::ZERO,
            retry_after_secs: 1,
        }
    }
}

/// What the faults do to one request.
#[derive(Debug, Default)]
pub(crate) struct Plan {
    pub delay: Duration,
    pub reply: Option<Reply>,
}

/// Rates, the queue of faults for the next requests and the random source.
#[derive(Debug)]
pub(crate) struct Faults {
    config: FaultConfig,
    queue: VecDeque<Fault>,
    rng: Rng,
}

impl Faults {
    pub fn new(config: FaultConfig) -> Self {
        Faults {
            config,
            queue: VecDeque::new(),
            rng: Rng::from_entropy(),
        }
    }

    /// Queues `fault` for the next `times` requests.
    pub fn inject(&mut self, fault: Fault, times: usize) {
        self.queue.extend(std::iter::repeat_n(fault, times));
    }

    /// The plan for one request: the header's faults if it has the header,
    /// otherwise the next queued fault, otherwise the rates.
    pub fn plan(&mut self, header: Option<&str>) -> Result<Plan, String> {
        let faults = match header {
            Some(value) => parse_header(value, self.config.retry_after_secs)?,
            None => match self.queue.pop_front() {
                Some(fault) => vec![fault],
                None => self.random(),
            },
        };
        let mut plan = Plan {
            delay: self.config.delay,
            reply: None,
        };
        for fault in faults {
            match fault {
                Fault::Slow(delay) => plan.delay = plan.delay.saturating_add(delay),
                other => plan.reply = Some(reply(other)),
            }
        }
        plan.delay = plan.delay.min(MAX_DELAY);
        Ok(plan)
    }

    fn random(&mut self) -> Vec<Fault> {
        let retry_after_secs = self.config.retry_after_secs;
        let draw = self.rng.next_f64();
        let mut threshold = 0.0;
        for (rate, fault) in [
            (
                self.config.rate_429,
                Fault::RateLimited { retry_after_secs },
            ),
            (
                self.config.rate_503,
                Fault::Unavailable { retry_after_secs },
            ),
            (self.config.rate_malformed, Fault::Malformed),
        ] {
            threshold += rate.clamp(0.0, 1.0);
            if draw < threshold {
                return vec![fault];
            }
        }
        Vec::new()
    }
}

fn reply(fault: Fault) -> Reply {
    match fault {
        Fault::RateLimited { retry_after_secs } => {
            Reply::error(429, "rate_limited", "injected fault: too many requests")
                .with_header("retry-after", retry_after_secs.to_string())
        }
        Fault::Unavailable { retry_after_secs } => Reply::error(
            503,
            "service_unavailable",
            "injected fault: service unavailable",
        )
        .with_header("retry-after", retry_after_secs.to_string()),
        Fault::Malformed => Reply {
            status: 200,
            headers: vec![("content-type".into(), "application/json".into())],
            body: br#"{"results": [{"user_id": "5fd2b1a4-"#.to_vec(),
        },
        Fault::Slow(_) => Reply::empty(200),
    }
}

/// Parses the fault header.
fn parse_header(value: &str, default_retry_after: u64) -> Result<Vec<Fault>, String> {
    let mut retry_after = default_retry_after;
    let mut kinds = Vec::new();
    for token in value.split(',').map(str::trim).filter(|t| !t.is_empty()) {
        let number = |text: &str| {
            text.trim()
                .parse::<u64>()
                .map_err(|_| format!("{FAULT_HEADER}: '{token}' needs a whole number"))
        };
        match token.split_once('=') {
            Some(("slow", ms)) => kinds.push(Err(Duration::from_millis(number(ms)?))),
            Some(("retry-after", secs)) => retry_after = number(secs)?,
            None if matches!(token, "429" | "503" | "malformed") => kinds.push(Ok(token)),
            _ => {
                return Err(format!(
                    "{FAULT_HEADER}: unknown fault '{}'; use 429, 503, malformed, slow=MS or retry-after=S",
                    token.chars().take(40).collect::<String>()
                ));
            }
        }
    }
    Ok(kinds
        .into_iter()
        .map(|kind| match kind {
            Ok("429") => Fault::RateLimited {
                retry_after_secs: retry_after,
            },
            Ok("503") => Fault::Unavailable {
                retry_after_secs: retry_after,
            },
            Ok(_) => Fault::Malformed,
            Err(delay) => Fault::Slow(delay),
        })
        .collect())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn header() {
        assert_eq!(
            parse_header("slow=5, 503, retry-after=0", 1).unwrap(),
            vec![
                Fault::Slow(Duration::from_millis(5)),
                Fault::Unavailable {
                    retry_after_secs: 0
                }
            ]
        );
        assert!(parse_header("teapot", 1).is_err());
        assert!(parse_header("slow=x", 1).is_err());
    }

    #[test]
    fn queue_then_rates() {
        let mut faults = Faults::new(FaultConfig {
            rate_429: 1.0,
            ..FaultConfig::default()
        });
        faults.inject(Fault::Malformed, 1);
        assert_eq!(faults.plan(None).unwrap().reply.unwrap().status, 200);
        let reply = faults.plan(None).unwrap().reply.unwrap();
        assert_eq!(reply.status, 429);
        assert!(reply.headers.contains(&("retry-after".into(), "1".into())));
        let none = Faults::new(FaultConfig::default()).plan(None).unwrap();
        assert!(none.reply.is_none());
        let slow = faults.plan(Some("slow=999999")).unwrap();
        assert_eq!(slow.delay, MAX_DELAY);
    }
}
