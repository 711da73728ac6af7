//! # zephr-emulator
//!
//! A local emulator of the Zephr Admin API, for trying an integration without
//! a Zephr tenant and for testing clients against realistic failures.
//!
//! - Every operation of `spec/zephr-admin-api.json` is routed (data-driven from
//!   [`zephr_admin::catalogue::OPERATIONS`]) and validated against its catalogue entry:
//!   unknown routes get 404, a known path with another method 405, missing
//!   required parameters and a body of the wrong kind 400.
//! - Every request must carry a valid `ZEPHR-HMAC-SHA256` signature by one of
//!   the configured key pairs; a missing or malformed header, an unknown access
//!   key, a timestamp outside the window and a replayed nonce each get 401 with
//!   a JSON body whose `check` names the failed check. A nonce is spent only
//!   by a request about to act, and kept until its timestamp leaves the window
//!   ([`NonceStore`]); past [`Config::max_nonces`] new requests get 503.
//! - Slow clients cannot stall the others: deadlines on request heads and
//!   bodies, an idle limit per connection, and a connection cap that answers
//!   503 at once ([`Config`]).
//! - Users, accounts and their members, user and account grants, products and
//!   entitlements keep real in-memory state; every other operation answers with
//!   its documented sample.
//! - Webhooks created through `/v3/webhooks` are called on the emulator's own
//!   state changes (users, grants, sessions, account membership), with their
//!   method and credentials; deliveries are retried, listed
//!   ([`Controls::webhook_deliveries`]) and can be made to fail
//!   ([`Controls::inject_delivery_fault`]).
//! - Faults (429 with `Retry-After`, 503, slow answers, malformed bodies) can be
//!   injected by rate ([`FaultConfig`]), by queue ([`Emulator::inject`]) or per
//!   request with the [`FAULT_HEADER`] header.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), zephr_emulator::StartError> {
//! let emulator = zephr_emulator::Emulator::start(zephr_emulator::Config::default()).await?;
//! assert!(emulator.base_url().starts_with("http://127.0.0.1:"));
//! emulator.shutdown().await;
//! # Ok(())
//! # }
//! ```

mod auth;
mod connection;
mod faults;
mod handler;
mod nonces;
mod reply;
mod routes;
mod server;
mod spec;
mod state;
mod util;
mod webhooks;

pub use auth::{AuthCheck, KeyFileError, load_keys};
pub use faults::{FAULT_HEADER, Fault, FaultConfig};
pub use nonces::{NonceStore, NotSpent};
pub use server::{BackgroundEmulator, Controls, Emulator, StartError};
pub use webhooks::{ATTEMPT_TIMEOUT, Attempt, Delivery, DeliveryConfig, DeliveryFault};

use std::time::Duration;

use zephr_admin::Credentials;

/// The access key of the made-up demo key pair (shared with the test vectors).
pub const DEMO_ACCESS_KEY: &str = "a3f1c2d4-5b6e-4f70-8a9b-0c1d2e3f4a5b";
/// The secret key of the made-up demo key pair (shared with the test vectors).
pub const DEMO_SECRET_KEY: &str = "9b8c7d6e-5f4a-4b3c-8d2e-1f0a9b8c7d6e";

/// The demo key pair, accepted by default.
pub fn demo_credentials() -> Result<Credentials, zephr_admin::Error> {
    Credentials::new(DEMO_ACCESS_KEY, DEMO_SECRET_KEY)
}

/// How the emulator runs.
#[derive(Debug, Clone)]
pub struct Config {
    /// TCP port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// The key pairs whose signatures are accepted (the demo pair by default).
    pub keys: Vec<Credentials>,
    /// How far a request timestamp may be from the emulator's clock (default 5 minutes).
    pub timestamp_window: Duration,
    /// The largest request body accepted; larger ones get 413 (default 1 MiB).
    pub max_body_bytes: usize,
    /// The most unexpired nonces kept (default 1,000,000). Each is kept until
    /// its timestamp leaves the window, so about `request rate × window` are
    /// held; past this bound new requests get 503 with `Retry-After` rather
    /// than any nonce being forgotten (a forgotten nonce would let a captured
    /// request be replayed).
    pub max_nonces: usize,
    /// The most connections served at once (default 512). Past it, the
    /// connection open longest that is not handling a request (a silent or
    /// trickling client, an idle keep-alive one) is closed to make room; when
    /// every one is handling a request, the new one is answered 503 with
    /// `Retry-After: 1` at once rather than left waiting. The deadlines
    /// below bound how long any connection can hold its place.
    pub max_connections: usize,
    /// How long a connection may take to send a complete request head, from
    /// its opening or from the end of its previous answer (default 10 s).
    /// This also closes connections that send nothing and idle keep-alive ones.
    pub header_timeout: Duration,
    /// How long the request body may take once the head is in (default 10 s);
    /// past it the answer is 408 and the connection is closed.
    pub body_timeout: Duration,
    /// How long a connection may go without moving a byte in either
    /// direction while no request is being handled, such as a client that
    /// stops reading its answer (default 30 s).
    pub idle_timeout: Duration,
    /// Faults injected at random.
    pub faults: FaultConfig,
    /// Print one line per request (`POST /v3/users -> 201`) on standard output.
    pub log_requests: bool,
    /// How webhook deliveries are retried.
    pub webhook_delivery: DeliveryConfig,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            port: 0,
            keys: demo_credentials().into_iter().collect(),
            timestamp_window: Duration::from_secs(300),
            max_body_bytes: 1024 * 1024,
            max_nonces: 1_000_000,
            max_connections: 512,
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(30),
            faults: FaultConfig::default(),
            log_requests: false,
            webhook_delivery: DeliveryConfig::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn demo_pair_is_valid() {
        assert!(super::demo_credentials().is_ok());
        assert_eq!(super::Config::default().keys.len(), 1);
    }
}
