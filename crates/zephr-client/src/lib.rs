//! # zephr-admin-client
//!
//! Ready clients for the Zephr Admin API: [`AsyncClient`] on reqwest (tokio,
//! rustls) and [`BlockingClient`] on ureq. Both are small pumps over the
//! sans-IO call engine of [`zephr_admin::call`]: the engine signs every
//! attempt, decides retries and walks pages; the clients only move bytes,
//! sleep, and hand in the time and fresh randomness.
//!
//! Every operation of the API is a method of its namespace, generated from the
//! spec: `client.users().list_sessions(request)`. The returned [`Pending`]
//! call is awaited (async) or sent (blocking); list operations also page, as
//! a `Stream` (async) or an `Iterator` (blocking) of their elements.
//!
//! ```no_run
//! # #[cfg(feature = "async")]
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use zephr_admin::operations::users::ListUserSessions;
//! use zephr_admin::{BaseUrl, Client, Credentials};
//! use zephr_admin_client::{AsyncClient, Config};
//!
//! let core = Client::new(Credentials::new("access-key", "secret-key")?, BaseUrl::tenant("news")?);
//! let client = AsyncClient::new(core, Config::default())?;
//! let sessions = client
//!     .users()
//!     .list_sessions(ListUserSessions { user_id: "u-1".into() })
//!     .await?;
//! # Ok(()) }
//! ```
//!
//! Observability: every call is a `tracing` span (`zephr.call`, with the
//! operation id) holding `DEBUG` events for each request and response and an
//! `INFO` event for each retry. They carry the method, URL, status, request id,
//! sizes and waits, never headers, bodies or the secret key.

use std::time::Duration;

use zephr_admin::call::{CallOptions, Engine, RetryNote, Step, TransportFailure};
use zephr_admin::catalogue::Operation;
use zephr_admin::{Client, PreparedRequest, Response};

pub use zephr_admin;
pub use zephr_admin::call::{CallError, FailureKind};

#[cfg(feature = "async")]
mod async_client;
#[cfg(feature = "blocking")]
mod blocking;
mod generated;

#[cfg(feature = "async")]
pub use async_client::{AsyncClient, Reqwest};
#[cfg(feature = "blocking")]
pub use blocking::{BlockingClient, Ureq};
pub use generated::*;

/// Transport settings shared by both clients. Retries, the clock offset and
/// the base URL belong to the core [`Client`] it wraps.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Config {
    /// The longest a whole attempt (connect, send, read the body) may take.
    pub timeout: Duration,
    /// The longest the connection may take to open.
    pub connect_timeout: Duration,
    /// A product token sent before the SDK's own (`my-app/1.2 zephr-admin/0.1.0`).
    pub user_agent: Option<String>,
    /// The largest response body read; a longer one fails with `body_too_large`.
    pub max_response_bytes: u64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            user_agent: None,
            max_response_bytes: zephr_admin::call::DEFAULT_MAX_RESPONSE_BYTES,
        }
    }
}

impl Config {
    /// Sets the per-attempt timeout.
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sets the connect timeout.
    #[must_use]
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Sets the product token sent before the SDK's `User-Agent`.
    #[must_use]
    pub fn user_agent(mut self, product: impl Into<String>) -> Self {
        self.user_agent = Some(product.into());
        self
    }

    /// Sets the largest response body read.
    #[must_use]
    pub fn max_response_bytes(mut self, bytes: u64) -> Self {
        self.max_response_bytes = bytes;
        self
    }

    fn call_options(&self) -> CallOptions {
        CallOptions::default().with_max_response_bytes(self.max_response_bytes)
    }

    /// The user agent the transport sends.
    fn user_agent_header(&self) -> String {
        match &self.user_agent {
            Some(product) => format!("{product} {}", zephr_admin::request::USER_AGENT),
            None => zephr_admin::request::USER_AGENT.to_owned(),
        }
    }
}

/// A client over transport `T`: [`AsyncClient`] or [`BlockingClient`]. Cheap
/// to share by reference; both transports pool connections.
#[derive(Debug)]
pub struct ZephrClient<T> {
    core: Client,
    config: Config,
    transport: T,
}

impl<T> ZephrClient<T> {
    /// The core client (credentials, base URL, clock offset, retry policy).
    pub fn core(&self) -> &Client {
        &self.core
    }

    /// The transport settings.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// A call of any typed operation (the namespace methods call this).
    pub fn call<O: Operation>(&self, request: O) -> Pending<'_, T, O> {
        Pending::new(self, request)
    }
}

/// One operation, ready to run: `.await` it on [`AsyncClient`], `.send()` it
/// on [`BlockingClient`]; page a list with `.stream()` or `.iter()`.
#[derive(Debug)]
#[must_use = "a call does nothing until it is awaited or sent"]
pub struct Pending<'c, T, O> {
    client: &'c ZephrClient<T>,
    request: O,
    options: CallOptions,
}

impl<'c, T, O: Operation> Pending<'c, T, O> {
    /// A call of `request` on `client`.
    pub fn new(client: &'c ZephrClient<T>, request: O) -> Self {
        Pending {
            client,
            request,
            options: client.config.call_options(),
        }
    }

    /// Overrides the number of retries for this call.
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.options = self.options.with_max_retries(&self.client.core, retries);
        self
    }

    /// Overrides the retry policy for this call.
    pub fn retry_policy(mut self, policy: zephr_admin::retry::RetryPolicy) -> Self {
        self.options = self.options.with_retry(policy);
        self
    }
}

/// The time and randomness a pump hands to the engine.
mod entropy {
    use zephr_admin::Error;

    /// The host clock, in milliseconds since the epoch.
    pub fn now_ms() -> u64 {
        zephr_admin::env::system_now_ms()
    }

    /// A fresh 128-bit nonce from the operating system.
    pub fn nonce() -> Result<String, Error> {
        zephr_admin::env::random_nonce()
    }

    /// A uniform draw in `[0, 1)` for backoff jitter (0.5 if the OS has no randomness).
    pub fn jitter() -> f64 {
        let mut bytes = [0u8; 8];
        if getrandom::getrandom(&mut bytes).is_err() {
            return 0.5;
        }
        // The top 53 bits make an exactly representable fraction.
        (u64::from_le_bytes(bytes) >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// The `tracing` events every pump emits; never headers, bodies or secrets.
mod trace {
    use super::*;

    pub fn span(operation: &str) -> tracing::Span {
        tracing::info_span!("zephr.call", operation)
    }

    pub fn request(prepared: &PreparedRequest) {
        tracing::debug!(
            method = %prepared.method,
            url = %prepared.url,
            body_bytes = prepared.body.len(),
            "zephr request"
        );
    }

    pub fn outcome(outcome: &Result<Response, TransportFailure>) {
        match outcome {
            Ok(response) => tracing::debug!(
                status = response.status,
                request_id = response.request_id().unwrap_or(""),
                body_bytes = response.body.len(),
                "zephr response"
            ),
            Err(failure) => tracing::debug!(
                failure = failure.kind.as_str(),
                message = %failure.message,
                "zephr transport failure"
            ),
        }
    }

    pub fn retry(note: &RetryNote) {
        tracing::info!(
            attempt = note.attempt,
            status = note.status.unwrap_or(0),
            failure = note.failure.map_or("", |f| f.as_str()),
            wait_ms = note.wait_ms,
            "zephr retry"
        );
    }
}

/// One turn of a pump's loop with the I/O left out: what the transport must
/// do next for an engine. Both clients drive engines through it, so they
/// differ only in how they send and how they wait.
enum Turn<O> {
    /// Send this request, reading at most this many body bytes, then [`ZephrClient::report`].
    Send(PreparedRequest, u64),
    /// Sleep this long, then take the next turn.
    Wait(Duration),
    /// The engine's next output (`None` when it has finished).
    Done(Option<Result<O, CallError>>),
}

impl<T> ZephrClient<T> {
    /// Polls the engine with a fresh clock reading and nonce.
    fn turn<E: Engine>(&self, engine: &mut E) -> Turn<E::Output> {
        let nonce = match entropy::nonce() {
            Ok(nonce) => nonce,
            Err(e) => return Turn::Done(Some(Err(e.into()))),
        };
        match engine.poll(&self.core, entropy::now_ms(), &nonce) {
            Step::Send(prepared) => {
                let prepared = with_user_agent(prepared, &self.config);
                trace::request(&prepared);
                Turn::Send(prepared, engine.max_response_bytes())
            }
            Step::Wait(ms) => Turn::Wait(Duration::from_millis(ms)),
            Step::Output(result) => Turn::Done(Some(result)),
            Step::Finished => Turn::Done(None),
        }
    }

    /// Hands the transport's outcome of a [`Turn::Send`] back to the engine.
    fn report<E: Engine>(engine: &mut E, outcome: Result<Response, TransportFailure>) {
        trace::outcome(&outcome);
        engine.handle(outcome, entropy::now_ms(), entropy::jitter());
        if let Some(note) = engine.last_retry() {
            trace::retry(note);
        }
    }
}

/// A response's headers as the core takes them (values that are not UTF-8 are
/// decoded lossily; the core reads only ASCII ones).
fn header_list(headers: &http::HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(name, value)| {
            let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
            (name.to_string(), value)
        })
        .collect()
}

/// Replaces the SDK's `User-Agent` with the configured one (it is not signed).
fn with_user_agent(mut prepared: PreparedRequest, config: &Config) -> PreparedRequest {
    if config.user_agent.is_some() {
        let value = config.user_agent_header();
        for (name, slot) in &mut prepared.headers {
            if name == "user-agent" {
                *slot = value.clone();
            }
        }
    }
    prepared
}

/// A client could not be built: the user agent is not a valid header value,
/// or the HTTP stack refused its settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildError {
    message: String,
}

impl BuildError {
    fn new(message: impl Into<String>) -> Self {
        BuildError {
            message: message.into(),
        }
    }
}

impl std::fmt::Display for BuildError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "invalid client configuration: {}", self.message)
    }
}

impl std::error::Error for BuildError {}

fn check_config(config: &Config) -> Result<(), BuildError> {
    if let Some(product) = &config.user_agent
        && (product.is_empty() || product.chars().any(|c| c.is_control() || !c.is_ascii()))
    {
        return Err(BuildError::new(
            "the user agent must be non-empty visible ASCII",
        ));
    }
    Ok(())
}

/// A call always gives an output before it finishes; if one ever did not,
/// the pump reports it as an error rather than panic.
fn no_answer<T>() -> Result<T, CallError> {
    Err(CallError::Transport(TransportFailure::new(
        FailureKind::Interrupted,
        "the call finished without an answer",
    )))
}
