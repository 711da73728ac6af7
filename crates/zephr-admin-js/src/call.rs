//! The call handles: a client made once from its options, and one call (or
//! one walk through a list's pages) that the JavaScript host pumps.
//!
//! ```
//! use zephr_admin_js::ClientHandle;
//! use serde_json::Value;
//!
//! let client = ClientHandle::new(r#"{"accessKey":"ak","secretKey":"sk","tenant":"news"}"#);
//! assert!(client.error().is_none());
//! let mut call = client.call("getUser", r#"{"user_id":"u-1"}"#, "{}");
//! let step: Value = serde_json::from_str(&call.poll(1.7e12, "n-1")).unwrap();
//! assert_eq!(step["step"], "send");
//! assert_eq!(step["request"]["url"], "https://news.api.zephr.com/v3/users/u-1");
//! let retry = call.handle(r#"{"response":{"status":200,"headers":[["x-request-id","r-1"]]}}"#,
//!     br#"{"user_id":"u-1"}"#.to_vec(), 1.7e12, 0.5);
//! assert_eq!(retry, r#"{"ok":null}"#);
//! let step: Value = serde_json::from_str(&call.poll(1.7e12, "n-2")).unwrap();
//! assert_eq!(step["step"], "output");
//! assert_eq!(step["ok"]["user_id"], "u-1");
//! assert_eq!(step["requestId"], "r-1");
//! ```

use serde_json::Value;
use zephr_admin::call::{Call, CallError, CallOptions, Engine, Pages, Step, TransportFailure};
use zephr_admin::catalogue::{Pagination, ResponseKind, require_operation};
use zephr_admin::env::timestamp_from_f64;
use zephr_admin::error::InputErrorKind;
use zephr_admin::{Client, Error, Response};

use crate::messages::{
    Answer, CallSettings, ErrorData, OutcomeMessage, Parsed, RetryMessage, StepMessage, to_text,
};
use crate::{ClientOptions, decode_body, http_status, input, parse_json, raw};

/// A client made from its options (JSON text, as `prepareRequest` takes
/// them, without `timestamp` and `nonce`). Invalid options are not thrown:
/// [`ClientHandle::error`] reports them, and every call made from such a
/// client fails with that error at its first poll.
pub struct ClientHandle {
    client: Result<(Client, ClientOptions), Error>,
}

impl std::fmt::Debug for ClientHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientHandle").finish_non_exhaustive()
    }
}

impl ClientHandle {
    /// A client from its options.
    pub fn new(options: &str) -> Self {
        let client = ClientOptions::from_json(options).and_then(|options| {
            // The default headers are checked now, not at the first call.
            let probe = options.request("listAccounts", &Value::Object(Default::default()))?;
            let client = options.client()?;
            let _checked =
                client.prepare(&probe, &zephr_admin::Env::new(1_700_000_000_000, "probe"))?;
            Ok((client, options))
        });
        ClientHandle { client }
    }

    /// The error answer (`{"err": ...}` text) when the options are invalid.
    pub fn error(&self) -> Option<String> {
        self.client
            .as_ref()
            .err()
            .map(|e| Answer::<()>::of(Err(e.clone())).to_text())
    }

    /// A call of an operation with parameters (JSON text) and per-call
    /// settings (JSON text of [`CallSettings`]).
    pub fn call(&self, operation_id: &str, params: &str, settings: &str) -> CallHandle {
        let started = (|| -> Result<(Client, Machine), Error> {
            let (client, options) = self.client.as_ref().map_err(Clone::clone)?;
            let params: Value = parse_json(params, "params", "JSON text")?;
            let settings: CallSettings = serde_json::from_str(settings).map_err(|_| {
                input(
                    InputErrorKind::InvalidOptions,
                    "call settings must be an object of maxRetries, maxResponseBytes and paginate",
                )
            })?;
            let op = require_operation(operation_id)?;
            let request = options.request(operation_id, &params)?;
            let mut call_options = CallOptions::default();
            if let Some(retries) = settings.max_retries {
                call_options = call_options.with_max_retries(client, retries);
            }
            if let Some(bytes) = settings.max_response_bytes {
                call_options = call_options.with_max_response_bytes(bytes);
            }
            let list = op.response == ResponseKind::List;
            let machine = if settings.paginate && op.pagination == Pagination::PageRpp {
                Machine::Pages(Pages::new(client, request, call_options))
            } else {
                let decode = if list { decode_list } else { decode_value };
                Machine::One(Call::with_decoder(client, request, call_options, decode))
            };
            Ok((client.clone(), machine))
        })();
        match started {
            Ok((client, machine)) => CallHandle {
                client: Some(client),
                machine,
            },
            Err(e) => CallHandle {
                client: None,
                machine: Machine::Failed(Some((&e).into())),
            },
        }
    }
}

fn decode_value(response: &Response) -> Result<Parsed, Error> {
    decoded(response, false)
}

fn decode_list(response: &Response) -> Result<Parsed, Error> {
    decoded(response, true)
}

/// The engine hands every final response to the decoder: non-2xx ones become API errors here.
fn decoded(response: &Response, list: bool) -> Result<Parsed, Error> {
    response.error_for_status()?;
    Ok(Parsed {
        ok: raw(decode_body(response, list)?)?,
        request_id: response.request_id().map(str::to_owned),
    })
}

enum Machine {
    One(Call<Parsed>),
    Pages(Pages<Value>),
    /// Refused before any attempt: the error is the first output.
    Failed(Option<ErrorData>),
}

/// One call, pumped by the JavaScript host: [`CallHandle::poll`] says what to
/// do next, [`CallHandle::handle`] reports what happened to the request sent.
pub struct CallHandle {
    client: Option<Client>,
    machine: Machine,
}

impl std::fmt::Debug for CallHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CallHandle").finish_non_exhaustive()
    }
}

fn error_step(error: &CallError) -> StepMessage {
    StepMessage::Error { err: error.into() }
}

impl CallHandle {
    /// The next step as JSON text ([`StepMessage`]). `now_ms` is the host's
    /// clock (`Date.now()`), `nonce` a fresh unique value.
    pub fn poll(&mut self, now_ms: f64, nonce: &str) -> String {
        to_text(&self.step(now_ms, nonce))
    }

    fn step(&mut self, now_ms: f64, nonce: &str) -> StepMessage {
        let (client, machine) = match (&self.client, &mut self.machine) {
            (_, Machine::Failed(error)) => {
                return match error.take() {
                    Some(err) => StepMessage::Error { err },
                    None => StepMessage::Finished,
                };
            }
            (Some(client), machine) => (client, machine),
            (None, _) => return StepMessage::Finished,
        };
        let now_ms = match timestamp_from_f64(now_ms.floor()) {
            Ok(ms) => ms,
            Err(e) => return StepMessage::Error { err: (&e).into() },
        };
        match machine {
            Machine::One(call) => match call.poll(client, now_ms, nonce) {
                Step::Output(Ok(parsed)) => StepMessage::Output(parsed),
                step => common_step(step),
            },
            Machine::Pages(pages) => match pages.poll(client, now_ms, nonce) {
                Step::Output(Ok(page)) => match serde_json::to_string(&page)
                    .map_err(|_| input(InputErrorKind::InvalidParam, "a page did not serialise"))
                    .and_then(raw)
                {
                    Ok(ok) => StepMessage::Output(Parsed {
                        ok,
                        request_id: None,
                    }),
                    Err(e) => StepMessage::Error { err: (&e).into() },
                },
                step => common_step(step),
            },
            Machine::Failed(_) => StepMessage::Finished,
        }
    }

    /// Reports the outcome of the last request sent ([`OutcomeMessage`] as
    /// JSON text, the body bytes beside it) with the time and a jitter draw in
    /// `[0, 1)`. Answers `{"ok": RetryMessage | null}` (the retry the engine
    /// decided, if any), or `{"err": ...}` when the outcome is malformed.
    pub fn handle(&mut self, outcome: &str, body: Vec<u8>, now_ms: f64, jitter: f64) -> String {
        let result = (|| {
            let outcome: OutcomeMessage = parse_json(
                outcome,
                "outcome",
                "{\"response\": {status, headers}} or {\"failure\": {kind, message}}",
            )?;
            let outcome = match outcome {
                OutcomeMessage::Response { status, headers } => {
                    Ok(Response::new(http_status(status)?, headers, body))
                }
                OutcomeMessage::Failure { kind, message } => {
                    Err(TransportFailure::new(kind.kind(), message))
                }
            };
            let now_ms = timestamp_from_f64(now_ms.floor())?;
            let jitter = if (0.0..1.0).contains(&jitter) {
                jitter
            } else {
                0.5
            };
            let note = match &mut self.machine {
                Machine::One(call) => {
                    call.handle(outcome, now_ms, jitter);
                    call.last_retry().map(RetryMessage::from)
                }
                Machine::Pages(pages) => {
                    pages.handle(outcome, now_ms, jitter);
                    pages.last_retry().map(RetryMessage::from)
                }
                Machine::Failed(_) => None,
            };
            Ok(note)
        })();
        Answer::of(result).to_text()
    }

    /// The largest response body the host should read before it reports a
    /// `bodyTooLarge` failure.
    pub fn max_response_bytes(&self) -> f64 {
        match &self.machine {
            Machine::One(call) => call.max_response_bytes() as f64,
            Machine::Pages(pages) => pages.max_response_bytes() as f64,
            Machine::Failed(_) => zephr_admin::call::DEFAULT_MAX_RESPONSE_BYTES as f64,
        }
    }
}

/// The steps that read the same for a call and a walk through pages.
fn common_step<T>(step: Step<T>) -> StepMessage {
    match step {
        Step::Send(prepared) => StepMessage::Send {
            request: prepared.into(),
        },
        Step::Wait(ms) => StepMessage::Wait { ms },
        Step::Output(Err(e)) => error_step(&e),
        // Successful outputs are converted by the caller, which knows their type.
        Step::Output(Ok(_)) | Step::Finished => StepMessage::Finished,
    }
}
