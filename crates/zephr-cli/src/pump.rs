//! The one pump of the command line: it drives a core engine ([`Call`] or
//! [`Pages`]) over the blocking client's transport. Retries, waits and pages
//! are decided by the engine; this only sends, sleeps and reports.
//!
//! [`Call`]: zephr_admin::call::Call
//! [`Pages`]: zephr_admin::call::Pages

use std::sync::Mutex;
use std::time::Duration;

use zephr_admin::call::{CallError, Engine, FailureKind, RetryNote, Step, TransportFailure};
use zephr_admin::{Error, PreparedRequest, Response};
use zephr_admin_client::{BlockingClient, Config};

/// What the pump tells its host as it goes.
pub enum Event<'a> {
    /// This signed request is about to be sent.
    Sending(&'a PreparedRequest),
    /// The engine decided to retry.
    Retry(&'a RetryNote),
}

/// A time before which no worker sends: a 429 seen by one worker holds back
/// all of them for the wait the engine decided.
#[derive(Debug, Default)]
pub struct Gate {
    not_before_ms: Mutex<u64>,
}

impl Gate {
    fn get(&self) -> u64 {
        *self.not_before_ms.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn hold_until(&self, at_ms: u64) {
        let mut slot = self.not_before_ms.lock().unwrap_or_else(|e| e.into_inner());
        *slot = (*slot).max(at_ms);
    }

    /// Sleeps until the gate is open.
    fn pass(&self) {
        loop {
            let now = zephr_admin::env::system_now_ms();
            let until = self.get();
            if now >= until {
                return;
            }
            std::thread::sleep(Duration::from_millis(until - now));
        }
    }
}

/// The blocking client for the command line: redirects refused, the body
/// capped, this timeout per attempt.
pub fn client(core: zephr_admin::Client, timeout: Duration) -> Result<BlockingClient, String> {
    BlockingClient::new(core, Config::default().timeout(timeout)).map_err(|e| e.to_string())
}

/// Runs `engine` until its next output (`None` once it has finished).
pub fn drive<E: Engine>(
    client: &BlockingClient,
    engine: &mut E,
    gate: Option<&Gate>,
    on_event: &mut dyn FnMut(Event<'_>),
) -> Option<Result<E::Output, CallError>> {
    loop {
        if let Some(gate) = gate {
            gate.pass();
        }
        let nonce = match zephr_admin::env::random_nonce() {
            Ok(nonce) => nonce,
            Err(e) => return Some(Err(CallError::Core(e))),
        };
        match engine.poll(client.core(), zephr_admin::env::system_now_ms(), &nonce) {
            Step::Send(prepared) => {
                on_event(Event::Sending(&prepared));
                let outcome = client.transmit(prepared, engine.max_response_bytes());
                let rate_limited = matches!(&outcome, Ok(r) if r.status == 429);
                engine.handle(outcome, zephr_admin::env::system_now_ms(), jitter());
                if let Some(note) = engine.last_retry() {
                    if let (true, Some(gate)) = (rate_limited, gate) {
                        gate.hold_until(
                            zephr_admin::env::system_now_ms().saturating_add(note.wait_ms),
                        );
                    }
                    on_event(Event::Retry(note));
                }
            }
            Step::Wait(ms) => std::thread::sleep(Duration::from_millis(ms)),
            Step::Output(result) => return Some(result),
            Step::Finished => return None,
        }
    }
}

/// Runs a one-shot call to its output.
pub fn run<E: Engine>(
    client: &BlockingClient,
    engine: &mut E,
    gate: Option<&Gate>,
    on_event: &mut dyn FnMut(Event<'_>),
) -> Result<E::Output, CallError> {
    drive(client, engine, gate, on_event).unwrap_or_else(|| {
        Err(CallError::Transport(TransportFailure::new(
            FailureKind::Interrupted,
            "the call finished without an answer",
        )))
    })
}

/// A decoder that keeps the final response whatever its status, so the
/// command line can print its headers and explain a redirect.
pub fn keep_response(response: &Response) -> Result<Response, Error> {
    Ok(response.clone())
}

/// A uniform draw in `[0, 1)` for the engine's backoff jitter.
fn jitter() -> f64 {
    let mut bytes = [0u8; 8];
    if getrandom::getrandom(&mut bytes).is_err() {
        return 0.5;
    }
    (u64::from_le_bytes(bytes) >> 11) as f64 / (1u64 << 53) as f64
}

/// How an engine's retry reads in a log line: `HTTP 503` or the failure code.
pub fn retry_cause(note: &RetryNote) -> String {
    match (note.status, note.failure) {
        (Some(status), _) => format!("HTTP {status}"),
        (None, Some(kind)) => kind.as_str().to_owned(),
        (None, None) => "transport error".to_owned(),
    }
}
