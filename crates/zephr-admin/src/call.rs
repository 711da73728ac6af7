//! The call engine: one sans-IO state machine that sends, re-signs, retries
//! and pages, so every host (the Rust clients, the command line, the JS
//! client) is a small pump with no retry or paging logic of its own.
//!
//! The host drives a [`Call`] (one operation) or a [`Pages`] (a `page`/`rpp`
//! list, page after page) through the [`Engine`] trait:
//!
//! 1. [`Engine::poll`] with the client, the current time and a fresh nonce
//!    answers a [`Step`]: send this signed request; wait this many
//!    milliseconds and poll again; here is an output; or finished.
//! 2. After a [`Step::Send`], the host reports what happened with
//!    [`Engine::handle`]: the [`Response`] (status, headers, body bytes) or a
//!    [`TransportFailure`], with the time and a jitter draw in `[0, 1)`.
//!
//! Nothing here reads a clock or draws randomness: time, nonces and jitter
//! are inputs, so the engine is deterministic under test. Every attempt is
//! signed at the time of the poll that sends it, with the nonce of that poll.
//! Redirects are never followed: the engine ends the call on a 3xx answer
//! (or on [`FailureKind::OpaqueRedirect`], where the host's HTTP client hides
//! it) with a typed [`CallError::Redirect`], and never sends the body again.
//!
//! ```
//! use zephr_admin::call::{Call, CallOptions, Engine, Step};
//! use zephr_admin::operations::account_user::ListAccountUsers;
//! use zephr_admin::{BaseUrl, Client, Credentials, Response};
//!
//! let client = Client::new(Credentials::new("ak", "sk")?, BaseUrl::tenant("news")?);
//! let op = ListAccountUsers { account_id: "acc-1".into() };
//! let mut call = Call::operation(&client, &op, CallOptions::default());
//!
//! // A host loop, with canned answers instead of a network.
//! let mut replies = vec![
//!     Response::new(200, vec![], r#"[{"user_id":"u1"}]"#),
//!     Response::new(503, vec![("retry-after".into(), "1".into())], ""),
//! ];
//! let mut now = 1_700_000_000_000;
//! let users = loop {
//!     match call.poll(&client, now, &format!("nonce-{now}")) {
//!         Step::Send(prepared) => {
//!             assert!(prepared.url.ends_with("/v3/accounts/acc-1/users"));
//!             call.handle(Ok(replies.pop().unwrap()), now, 0.5);
//!         }
//!         Step::Wait(ms) => now += ms,
//!         Step::Output(result) => break result?,
//!         Step::Finished => unreachable!(),
//!     }
//! };
//! assert_eq!(users.items[0].user_id.as_deref(), Some("u1"));
//! assert_eq!(call.attempts(), 2);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::catalogue::{Operation, require_operation};
use crate::env::Env;
use crate::error::Error;
use crate::request::{Client, PreparedRequest, Request};
use crate::response::{List, Response};
use crate::retry::{Outcome, RetryDecision, RetryPolicy};

/// The largest response body a call accepts by default: 64 MiB.
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 64 * 1024 * 1024;

/// How a call retries and how much it reads.
///
/// ```
/// use zephr_admin::call::CallOptions;
/// use zephr_admin::retry::RetryPolicy;
///
/// let options = CallOptions::default()
///     .with_retry(RetryPolicy::default().with_max_retries(4))
///     .with_max_response_bytes(1 << 20);
/// assert_eq!(options.retry.as_ref().map(|p| p.max_retries), Some(4));
/// assert_eq!(options.max_response_bytes, 1_048_576);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CallOptions {
    /// The retry policy; `None` uses the client's ([`Client::retry_policy`]).
    pub retry: Option<RetryPolicy>,
    /// The largest response body accepted; a longer one fails the call with
    /// [`FailureKind::BodyTooLarge`]. Hosts should stop reading there too
    /// ([`Engine::max_response_bytes`]).
    pub max_response_bytes: u64,
}

impl Default for CallOptions {
    fn default() -> Self {
        CallOptions {
            retry: None,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
        }
    }
}

impl CallOptions {
    /// Uses this retry policy instead of the client's.
    #[must_use]
    pub fn with_retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// Sets [`max_retries`](RetryPolicy::max_retries) on the policy in use.
    ///
    /// ```
    /// use zephr_admin::call::CallOptions;
    /// use zephr_admin::{BaseUrl, Client, Credentials};
    ///
    /// let client = Client::new(Credentials::new("ak", "sk")?, BaseUrl::tenant("news")?);
    /// let options = CallOptions::default().with_max_retries(&client, 0);
    /// // The client's policy, with only the retry count changed.
    /// let policy = options.retry.unwrap();
    /// assert_eq!((policy.max_retries, policy.base_delay_ms), (0, client.retry_policy().base_delay_ms));
    /// # Ok::<(), zephr_admin::Error>(())
    /// ```
    #[must_use]
    pub fn with_max_retries(mut self, client: &Client, max_retries: u32) -> Self {
        let mut policy = self
            .retry
            .take()
            .unwrap_or_else(|| client.retry_policy().clone());
        policy.max_retries = max_retries;
        self.retry = Some(policy);
        self
    }

    /// Sets the largest response body accepted.
    #[must_use]
    pub fn with_max_response_bytes(mut self, bytes: u64) -> Self {
        self.max_response_bytes = bytes;
        self
    }
}

/// Why an attempt got no usable response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FailureKind {
    /// The connection could not be made (refused, DNS, TLS handshake): the
    /// request was certainly not sent, so it is retried whatever its method.
    Connect,
    /// No answer in time; the request may have been received.
    TimedOut,
    /// The connection failed after the request may have been sent (reset,
    /// closed early, broken body).
    Interrupted,
    /// The response body is longer than the call accepts; never retried.
    BodyTooLarge,
    /// The host's HTTP client stopped at a redirect whose status and
    /// `Location` it does not show (a `redirect: "manual"` fetch answers an
    /// `opaqueredirect` with status 0). Never retried: the call ends with
    /// [`CallError::Redirect`].
    OpaqueRedirect,
}

impl FailureKind {
    /// The stable snake_case code: `connect_failed`, `timed_out`,
    /// `transport_error`, `body_too_large` or `redirect`.
    pub fn as_str(self) -> &'static str {
        match self {
            FailureKind::Connect => "connect_failed",
            FailureKind::TimedOut => "timed_out",
            FailureKind::Interrupted => "transport_error",
            FailureKind::BodyTooLarge => "body_too_large",
            FailureKind::OpaqueRedirect => Redirect::CODE,
        }
    }
}

/// A redirect the server answered with. It is never followed: the signature
/// covers one path on one host, and a followed 307/308 would send the body
/// wherever the server points.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Redirect {
    /// The 3xx status; `None` when the host's HTTP client hides it
    /// ([`FailureKind::OpaqueRedirect`]).
    pub status: Option<u16>,
    /// The `Location` the server named, if the host could see it.
    pub location: Option<String>,
    /// The request id a response header carried.
    pub request_id: Option<String>,
}

impl Redirect {
    /// The error code of a redirect.
    pub const CODE: &'static str = "redirect";

    fn of(response: &Response) -> Self {
        Redirect {
            status: Some(response.status),
            location: response.header("location").map(str::to_owned),
            request_id: response.request_id().map(str::to_owned),
        }
    }

    fn opaque() -> Self {
        Redirect {
            status: None,
            location: None,
            request_id: None,
        }
    }
}

impl fmt::Display for Redirect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.status {
            Some(status) => write!(f, "{}: HTTP {status}, redirect not followed", Self::CODE)?,
            None => write!(
                f,
                "{}: the HTTP client hid a redirect answer (opaque redirect), redirect not followed",
                Self::CODE
            )?,
        }
        if let Some(location) = &self.location {
            // The server's text reaches terminals and logs: control characters are escaped.
            // (Not `escape_debug`, whose Unicode tables would grow the wasm module.)
            f.write_str(" (location: ")?;
            for c in location.chars() {
                if c.is_control() {
                    write!(f, "{}", c.escape_default())?;
                } else {
                    write!(f, "{c}")?;
                }
            }
            f.write_str(")")?;
        }
        Ok(())
    }
}

impl std::error::Error for Redirect {}

/// A transport failure as the host reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TransportFailure {
    /// What went wrong.
    pub kind: FailureKind,
    /// The host's description (its HTTP client's error text).
    pub message: String,
}

impl TransportFailure {
    /// A failure of this kind with the host's description.
    ///
    /// ```
    /// use zephr_admin::call::{FailureKind, TransportFailure};
    ///
    /// let failure = TransportFailure::new(FailureKind::Connect, "connection refused");
    /// assert_eq!(failure.to_string(), "connect_failed: connection refused");
    /// ```
    pub fn new(kind: FailureKind, message: impl Into<String>) -> Self {
        TransportFailure {
            kind,
            message: message.into(),
        }
    }
}

impl fmt::Display for TransportFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind.as_str(), self.message)
    }
}

impl std::error::Error for TransportFailure {}

/// Why a call failed: the core refused the input, the API answered with an
/// error or an undecodable body, or the transport failed.
///
/// ```
/// use std::error::Error as _;
/// use zephr_admin::Response;
/// use zephr_admin::call::CallError;
///
/// let api = Response::new(404, vec![], "").error_for_status().unwrap_err();
/// let err = CallError::from(zephr_admin::Error::from(api));
/// assert_eq!(err.code(), "not_found");
/// assert_eq!(err.api().map(|e| e.status), Some(404));
/// assert!(err.source().is_some());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CallError {
    /// An input, API or decode error.
    Core(Error),
    /// The last attempt got no usable response.
    Transport(TransportFailure),
    /// The server answered with a redirect, which is not followed.
    Redirect(Redirect),
}

impl CallError {
    /// The stable snake_case code (the core's codes, or the [`FailureKind`] code).
    pub fn code(&self) -> &'static str {
        match self {
            CallError::Core(e) => e.code(),
            CallError::Transport(e) => e.kind.as_str(),
            CallError::Redirect(_) => Redirect::CODE,
        }
    }

    /// The API error, when the API answered with a non-2xx status.
    pub fn api(&self) -> Option<&crate::error::ApiError> {
        match self {
            CallError::Core(Error::Api(e)) => Some(e),
            _ => None,
        }
    }

    /// The HTTP status of the answer that ended the call: an error status, a
    /// redirect, or a 2xx whose body did not decode. `None` when no answer
    /// came (or the host could not see the redirect's status).
    ///
    /// ```
    /// use zephr_admin::call::{CallError, FailureKind, TransportFailure};
    ///
    /// let failure = TransportFailure::new(FailureKind::TimedOut, "no answer within 30 s");
    /// assert_eq!(CallError::Transport(failure).status(), None);
    /// ```
    #[must_use]
    pub fn status(&self) -> Option<u16> {
        match self {
            CallError::Core(Error::Api(e)) => Some(e.status),
            CallError::Core(Error::Decode(e)) => Some(e.status),
            CallError::Redirect(r) => r.status,
            _ => None,
        }
    }

    /// The request id of the answer that ended the call, if it carried one.
    #[must_use]
    pub fn request_id(&self) -> Option<&str> {
        match self {
            CallError::Core(Error::Api(e)) => e.request_id.as_deref(),
            CallError::Redirect(r) => r.request_id.as_deref(),
            _ => None,
        }
    }
}

impl fmt::Display for CallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CallError::Core(e) => e.fmt(f),
            CallError::Transport(e) => e.fmt(f),
            CallError::Redirect(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for CallError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            CallError::Core(e) => Some(e),
            CallError::Transport(e) => Some(e),
            CallError::Redirect(e) => Some(e),
        }
    }
}

impl From<Error> for CallError {
    fn from(e: Error) -> Self {
        CallError::Core(e)
    }
}

/// What the host does next.
#[derive(Debug)]
#[must_use]
pub enum Step<T> {
    /// Send this signed request exactly as it is (no redirects), then report
    /// the outcome with [`Engine::handle`].
    Send(PreparedRequest),
    /// Wait this many milliseconds, then poll again (the next attempt is
    /// signed then, with that poll's time and nonce).
    Wait(u64),
    /// A result: the call's answer, or one page of a [`Pages`]. An error ends
    /// the machine.
    Output(Result<T, CallError>),
    /// Nothing more: every output has been given.
    Finished,
}

/// A retry happened: what failed and how long the engine waits. Hosts read it
/// with [`Engine::last_retry`] for logs and hooks.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryNote {
    /// The attempt that failed (1 for the first).
    pub attempt: u32,
    /// Its status, or `None` for a transport failure.
    pub status: Option<u16>,
    /// The transport failure's kind, if it was one.
    pub failure: Option<FailureKind>,
    /// The wait before the next attempt.
    pub wait_ms: u64,
}

/// The interface every host pumps: [`Call`] and [`Pages`] implement it.
pub trait Engine {
    /// What one [`Step::Output`] carries.
    type Output;

    /// The next step. `now_ms` is the host's clock (before the client's clock
    /// offset) and `nonce` a fresh unique value; both are used only when this
    /// poll signs an attempt.
    fn poll(&mut self, client: &Client, now_ms: u64, nonce: &str) -> Step<Self::Output>;

    /// Reports the outcome of the last [`Step::Send`]. `jitter` is a uniform
    /// draw in `[0, 1)` for the backoff. Calling it without a pending send is
    /// ignored.
    fn handle(&mut self, outcome: Result<Response, TransportFailure>, now_ms: u64, jitter: f64);

    /// The largest body the host should read before it reports
    /// [`FailureKind::BodyTooLarge`].
    fn max_response_bytes(&self) -> u64;

    /// The retry decided by the last [`Engine::handle`], if it decided one.
    fn last_retry(&self) -> Option<&RetryNote>;
}

/// Decodes a final response into a call's output.
type Decoder<T> = fn(&Response) -> Result<T, Error>;

#[derive(Debug)]
enum State<T> {
    /// Ready to sign an attempt at or after this time.
    Ready { not_before_ms: u64 },
    /// An attempt was sent; waiting for [`Engine::handle`].
    InFlight,
    /// The output is ready for the next poll.
    Output(Result<T, CallError>),
    /// The output has been taken.
    Finished,
}

/// One operation: signs, sends, retries as the policy says, then decodes.
#[derive(Debug)]
#[must_use]
pub struct Call<T> {
    request: Request,
    policy: RetryPolicy,
    max_response_bytes: u64,
    decode: Decoder<T>,
    attempts: u32,
    state: State<T>,
    last_retry: Option<RetryNote>,
}

impl<T> Call<T> {
    /// A call of a request whose 2xx answer `decode` turns into the output.
    ///
    /// ```
    /// use zephr_admin::call::{Call, CallOptions, Engine, Step};
    /// use zephr_admin::{BaseUrl, Client, Credentials, Request, Response};
    ///
    /// let client = Client::new(Credentials::new("ak", "sk")?, BaseUrl::tenant("news")?);
    /// let request = Request::get("/v3/user-export").with_query("format", "csv");
    /// let mut call = Call::with_decoder(&client, request, CallOptions::default(), Response::text);
    /// assert!(matches!(call.poll(&client, 1, "n1"), Step::Send(_)));
    /// call.handle(Ok(Response::new(200, vec![], "id\nu-1\n")), 2, 0.5);
    /// let Step::Output(csv) = call.poll(&client, 2, "n2") else { panic!("no output") };
    /// assert_eq!(csv?, "id\nu-1\n");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_decoder(
        client: &Client,
        request: Request,
        options: CallOptions,
        decode: fn(&Response) -> Result<T, Error>,
    ) -> Self {
        Call {
            request,
            policy: options
                .retry
                .unwrap_or_else(|| client.retry_policy().clone()),
            max_response_bytes: options.max_response_bytes,
            decode,
            attempts: 0,
            state: State::Ready { not_before_ms: 0 },
            last_retry: None,
        }
    }

    /// A call that fails at its first poll (input refused before any attempt).
    fn failed(request: Request, error: Error, decode: Decoder<T>) -> Self {
        Call {
            request,
            policy: RetryPolicy::never(),
            max_response_bytes: 0,
            decode,
            attempts: 0,
            state: State::Output(Err(CallError::Core(error))),
            last_retry: None,
        }
    }

    /// The unsigned request this call sends.
    pub fn request(&self) -> &Request {
        &self.request
    }

    /// Attempts sent so far.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    fn finish(&mut self, result: Result<T, CallError>) {
        self.state = State::Output(result);
    }
}

impl<T: DeserializeOwned> Call<T> {
    /// A call of a request decoded into `T` (tolerantly, see [`Response::decode`]).
    ///
    /// ```
    /// use zephr_admin::call::{Call, CallOptions, Engine, Step};
    /// use zephr_admin::{BaseUrl, Client, Credentials, Request};
    ///
    /// let client = Client::new(Credentials::new("ak", "sk")?, BaseUrl::tenant("news")?);
    /// let mut call: Call<serde_json::Value> =
    ///     Call::new(&client, Request::get("/v3/accounts"), CallOptions::default());
    /// let Step::Send(prepared) = call.poll(&client, 1_700_000_000_000, "n1") else { panic!("no send") };
    /// assert_eq!(prepared.url, "https://news.api.zephr.com/v3/accounts");
    /// assert_eq!(call.attempts(), 1);
    /// # Ok::<(), zephr_admin::Error>(())
    /// ```
    pub fn new(client: &Client, request: Request, options: CallOptions) -> Self {
        Self::with_decoder(client, request, options, Response::decode::<T>)
    }
}

impl Call<()> {
    /// A call of a typed operation, decoded into its output type.
    ///
    /// Invalid input is not an error here: it is the call's first output, so
    /// hosts handle every failure in one place.
    pub fn operation<O: Operation>(
        client: &Client,
        operation: &O,
        options: CallOptions,
    ) -> Call<O::Output> {
        match operation.to_request() {
            Ok(request) => Call::with_decoder(client, request, options, O::parse_response),
            Err(e) => Call::failed(
                crate::request::Request::new(O::spec().method, O::spec().path),
                e,
                O::parse_response,
            ),
        }
    }

    /// A call of a catalogue operation by id, with parameters as a JSON
    /// object (see [`OperationSpec::request_from_json`](crate::catalogue::OperationSpec::request_from_json)),
    /// decoded as JSON.
    ///
    /// ```
    /// use serde_json::json;
    /// use zephr_admin::call::{Call, CallOptions, Engine, Step};
    /// use zephr_admin::{BaseUrl, Client, Credentials};
    ///
    /// let client = Client::new(Credentials::new("ak", "sk")?, BaseUrl::tenant("news")?);
    /// // A misspelt parameter is the call's first output, before anything is sent.
    /// let mut call = Call::json(&client, "getUser", &json!({"usr_id": "u-1"}), CallOptions::default());
    /// let Step::Output(Err(e)) = call.poll(&client, 1, "n1") else { panic!("no error") };
    /// assert_eq!(e.code(), "unknown_param");
    /// assert_eq!(call.attempts(), 0);
    /// # Ok::<(), zephr_admin::Error>(())
    /// ```
    pub fn json(
        client: &Client,
        operation_id: &str,
        params: &Value,
        options: CallOptions,
    ) -> Call<Value> {
        let request = require_operation(operation_id).and_then(|op| op.request_from_json(params));
        match request {
            Ok(request) => Call::new(client, request, options),
            Err(e) => Call::failed(Request::new("GET", "/"), e, Response::decode::<Value>),
        }
    }
}

impl<T> Engine for Call<T> {
    type Output = T;

    fn poll(&mut self, client: &Client, now_ms: u64, nonce: &str) -> Step<T> {
        match std::mem::replace(&mut self.state, State::Finished) {
            State::Ready { not_before_ms } if now_ms < not_before_ms => {
                self.state = State::Ready { not_before_ms };
                Step::Wait(not_before_ms - now_ms)
            }
            State::Ready { .. } => match client.prepare(&self.request, &Env::new(now_ms, nonce)) {
                Ok(prepared) => {
                    self.attempts = self.attempts.saturating_add(1);
                    self.state = State::InFlight;
                    Step::Send(prepared)
                }
                Err(e) => Step::Output(Err(CallError::Core(e))),
            },
            State::InFlight => {
                // Polled before the outcome was reported: still waiting for it.
                self.state = State::InFlight;
                Step::Wait(0)
            }
            State::Output(result) => Step::Output(result),
            State::Finished => Step::Finished,
        }
    }

    fn handle(&mut self, outcome: Result<Response, TransportFailure>, now_ms: u64, jitter: f64) {
        if !matches!(self.state, State::InFlight) {
            return;
        }
        self.last_retry = None;
        let outcome = outcome.and_then(|response| {
            if u64::try_from(response.body.len()).unwrap_or(u64::MAX) > self.max_response_bytes {
                Err(TransportFailure::new(
                    FailureKind::BodyTooLarge,
                    format!(
                        "the response body is longer than {} bytes",
                        self.max_response_bytes
                    ),
                ))
            } else {
                Ok(response)
            }
        });
        let decision = match &outcome {
            Ok(response) if response.is_success() || is_redirect(response) => RetryDecision::Stop,
            Ok(response) => self.decide(&Outcome::from_response(response), false, now_ms, jitter),
            Err(failure) => match failure.kind {
                FailureKind::BodyTooLarge | FailureKind::OpaqueRedirect => RetryDecision::Stop,
                kind => self.decide(
                    &Outcome::TransportError,
                    kind == FailureKind::Connect,
                    now_ms,
                    jitter,
                ),
            },
        };
        match decision {
            RetryDecision::RetryAfter(wait_ms) => {
                self.last_retry = Some(RetryNote {
                    attempt: self.attempts,
                    status: outcome.as_ref().ok().map(|r| r.status),
                    failure: outcome.as_ref().err().map(|f| f.kind),
                    wait_ms,
                });
                self.state = State::Ready {
                    not_before_ms: now_ms.saturating_add(wait_ms),
                };
            }
            RetryDecision::Stop => {
                let result = match outcome {
                    Ok(response) if is_redirect(&response) => {
                        Err(CallError::Redirect(Redirect::of(&response)))
                    }
                    Ok(response) => (self.decode)(&response).map_err(CallError::Core),
                    Err(failure) if failure.kind == FailureKind::OpaqueRedirect => {
                        Err(CallError::Redirect(Redirect::opaque()))
                    }
                    Err(failure) => Err(CallError::Transport(failure)),
                };
                self.finish(result);
            }
        }
    }

    fn max_response_bytes(&self) -> u64 {
        self.max_response_bytes
    }

    fn last_retry(&self) -> Option<&RetryNote> {
        self.last_retry.as_ref()
    }
}

/// A 3xx answer: the engine ends the call there, whatever the decoder.
fn is_redirect(response: &Response) -> bool {
    (300..400).contains(&response.status)
}

impl<T> Call<T> {
    fn decide(
        &self,
        outcome: &Outcome<'_>,
        never_sent: bool,
        now_ms: u64,
        jitter: f64,
    ) -> RetryDecision {
        let retries = self.attempts.saturating_sub(1);
        if never_sent && !self.policy.retry_non_idempotent {
            // A request that never left is safe to send again, whatever its method.
            let policy = RetryPolicy {
                retry_non_idempotent: true,
                ..self.policy.clone()
            };
            return policy.decide(self.request.method(), outcome, retries, jitter, now_ms);
        }
        self.policy
            .decide(self.request.method(), outcome, retries, jitter, now_ms)
    }
}

/// A `page`/`rpp` list, page after page: each page is a [`Call`] (with its
/// own retries), and each [`Step::Output`] is one decoded page. The next
/// page's request follows [`next_page`](crate::pagination::next_page)'s rules, read from
/// the decoded page itself (the body is decoded once). An error ends the walk.
///
/// ```
/// use zephr_admin::call::{CallOptions, Engine, Pages, Step};
/// use zephr_admin::operations::account::ListAccounts;
/// use zephr_admin::{BaseUrl, Client, Credentials, Response};
///
/// let client = Client::new(Credentials::new("ak", "sk")?, BaseUrl::tenant("news")?);
/// let op = ListAccounts { rpp: Some(2), ..Default::default() };
/// let mut pages = Pages::operation(&client, &op, CallOptions::default());
/// let bodies = [
///     r#"{"results":[{"account_id":"a"},{"account_id":"b"}],"total":3}"#,
///     r#"{"results":[{"account_id":"c"}],"total":3}"#,
/// ];
/// let (mut sent, mut ids) = (0, vec![]);
/// loop {
///     match pages.poll(&client, 1_700_000_000_000, &format!("n{sent}")) {
///         Step::Send(_) => {
///             pages.handle(Ok(Response::new(200, vec![], bodies[sent])), 0, 0.5);
///             sent += 1;
///         }
///         Step::Wait(_) => unreachable!(),
///         Step::Output(page) => ids.extend(page?.items.into_iter().map(|a| a.account_id.unwrap())),
///         Step::Finished => break,
///     }
/// }
/// assert_eq!(ids, ["a", "b", "c"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
#[must_use]
pub struct Pages<T> {
    call: Call<List<T>>,
    options: CallOptions,
    pages: u64,
    done: bool,
}

impl<T: DeserializeOwned> Pages<T> {
    /// Pages through a request's list, starting with the request as given
    /// (see the example on [`Pages`]).
    pub fn new(client: &Client, first: Request, options: CallOptions) -> Self {
        Pages {
            call: Call::new(client, first, options.clone()),
            options,
            pages: 0,
            done: false,
        }
    }

    /// Pages through a typed operation whose output is a [`List`] (see the
    /// example on [`Pages`]).
    pub fn operation<O>(client: &Client, operation: &O, options: CallOptions) -> Self
    where
        O: Operation<Output = List<T>>,
    {
        Pages {
            call: Call::operation(client, operation, options.clone()),
            options,
            pages: 0,
            done: false,
        }
    }

    /// Pages decoded so far.
    pub fn pages(&self) -> u64 {
        self.pages
    }
}

impl Pages<Value> {
    /// Pages through a catalogue operation by id, with JSON parameters.
    ///
    /// ```
    /// use serde_json::json;
    /// use zephr_admin::call::{CallOptions, Engine, Pages, Step};
    /// use zephr_admin::{BaseUrl, Client, Credentials, Response};
    ///
    /// let client = Client::new(Credentials::new("ak", "sk")?, BaseUrl::tenant("news")?);
    /// let mut pages = Pages::json(&client, "listAccounts", &json!({"rpp": 1}), CallOptions::default());
    /// let Step::Send(first) = pages.poll(&client, 1, "n1") else { panic!("no send") };
    /// assert!(first.url.ends_with("/v3/accounts?rpp=1"));
    /// pages.handle(Ok(Response::new(200, vec![], r#"{"results":[{"account_id":"a"}],"total":1}"#)), 1, 0.5);
    /// let Step::Output(page) = pages.poll(&client, 1, "n2") else { panic!("no page") };
    /// assert_eq!(page?.items.len(), 1);
    /// // `total` says that was the only page.
    /// assert!(matches!(pages.poll(&client, 1, "n3"), Step::Finished));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn json(client: &Client, operation_id: &str, params: &Value, options: CallOptions) -> Self {
        let request = require_operation(operation_id).and_then(|op| op.request_from_json(params));
        let call = match request {
            Ok(request) => Call::new(client, request, options.clone()),
            Err(e) => Call::failed(Request::new("GET", "/"), e, Response::decode::<List<Value>>),
        };
        Pages {
            call,
            options,
            pages: 0,
            done: false,
        }
    }
}

impl<T: DeserializeOwned> Engine for Pages<T> {
    type Output = List<T>;

    fn poll(&mut self, client: &Client, now_ms: u64, nonce: &str) -> Step<List<T>> {
        if self.done {
            return Step::Finished;
        }
        match self.call.poll(client, now_ms, nonce) {
            Step::Output(Ok(page)) => {
                self.pages = self.pages.saturating_add(1);
                match page.next_page(self.call.request()) {
                    Some(next) => self.call = Call::new(client, next, self.options.clone()),
                    None => self.done = true,
                }
                Step::Output(Ok(page))
            }
            Step::Output(Err(e)) => {
                self.done = true;
                Step::Output(Err(e))
            }
            Step::Finished => {
                self.done = true;
                Step::Finished
            }
            step => step,
        }
    }

    fn handle(&mut self, outcome: Result<Response, TransportFailure>, now_ms: u64, jitter: f64) {
        self.call.handle(outcome, now_ms, jitter);
    }

    fn max_response_bytes(&self) -> u64 {
        self.call.max_response_bytes()
    }

    fn last_retry(&self) -> Option<&RetryNote> {
        self.call.last_retry()
    }
}
