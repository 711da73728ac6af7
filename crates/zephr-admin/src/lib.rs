//! # zephr-admin
//!
//! The sans-IO core of the Zephr Admin API SDK. It signs requests with the
//! `ZEPHR-HMAC-SHA256` scheme, builds request descriptors (method, URL,
//! headers, body bytes), classifies and decodes responses into typed results
//! or typed errors, and decides retries and pagination. It never opens a
//! socket, reads a clock or draws randomness by itself: the host sends the
//! requests with the HTTP client of its choice and hands in time and nonces
//! through [`Env`].
//!
//! Most programs want a ready client on top of this crate (the
//! `zephr-admin-client` crate: async on reqwest, blocking on ureq). Use the
//! core directly to bring your own transport, or to sign and verify requests.
//!
//! ```
//! use zephr_admin::{BaseUrl, Client, Credentials, Env, Request, Response};
//! use serde_json::Value;
//!
//! let client = Client::new(
//!     Credentials::new("my-access-key", "my-secret-key")?,
//!     BaseUrl::tenant("news")?,
//! );
//! let request = Request::get("/v3/users/{user_id}/sessions").with_path_param("user_id", "u-1");
//! let prepared = client.prepare(&request, &Env::from_system()?)?;
//! assert_eq!(prepared.method, "GET");
//! assert_eq!(prepared.url, "https://news.api.zephr.com/v3/users/u-1/sessions");
//!
//! // ... send `prepared` with any HTTP client, then:
//! let response = Response::new(200, vec![], r#"{"user_id":"u-1","sessions":[]}"#);
//! let sessions: Value = response.decode()?;
//! assert_eq!(sessions["user_id"], "u-1");
//! # Ok::<(), zephr_admin::Error>(())
//! ```
//!
//! # A tour of the modules
//!
//! The everyday types are re-exported at the root (and stay in their module): [`Client`],
//! [`Credentials`], [`BaseUrl`], [`Env`], [`Request`], [`Body`],
//! [`PreparedRequest`], [`Response`], [`List`], [`Error`] and [`Result`].
//! Everything else lives in the module of its concern, in the order a
//! request flows through them:
//!
//! | Module | Concern |
//! |---|---|
//! | [`signing`] | The `ZEPHR-HMAC-SHA256` scheme: [`sign`](signing::sign) a request, [`ParsedAuthorization`](signing::ParsedAuthorization) to verify one on the server side. |
//! | [`catalogue`] | Every documented operation as data ([`OPERATIONS`](catalogue::OPERATIONS), [`OperationSpec`](catalogue::OperationSpec)) and the [`Operation`](catalogue::Operation) trait. |
//! | [`operations`] | Typed requests and response models, one module per resource group (generated from the spec). |
//! | [`env`](mod@env) | Time and randomness as inputs: [`Env`], the system clock and nonces (feature `os-env`). |
//! | [`request`] | What the caller describes ([`Request`], [`Body`]), the [`Client`] that signs it into a [`PreparedRequest`], base URLs and percent-encoding. |
//! | [`response`] | What the host received ([`Response`]), tolerant decoding, [`List`] envelopes. |
//! | [`error`] | Typed errors with stable snake_case codes. |
//! | [`retry`] | The retry policy as a pure function of an attempt's [`Outcome`](retry::Outcome). |
//! | [`pagination`] | `page`/`rpp` paging as a pure function of a page. |
//! | [`call`] | The call engine: one state machine that signs, sends, retries and pages; every host is a small pump over it. |
//! | [`webhook`] | Verifying and parsing the webhooks Zephr sends. |
//! | [`lenient`] | Serde helpers that accept the loosely typed values the API answers with. |
//!
//! # Conventions
//!
//! - Builders take `self` and set with `with_*` ([`Request::with_body`],
//!   [`Client::with_retry_policy`]); getters are nouns ([`Request::body`]).
//! - Types that will grow are `#[non_exhaustive]`: match them with a `_` arm
//!   and build them with their constructors ([`retry::RetryPolicy::default`]
//!   and its `with_*` methods, [`Response::new`], [`Env::new`]).
//! - Every error has a stable snake_case `code()`, its
//!   [`source`](std::error::Error::source) is the error it wraps, and no
//!   message or `Debug` output contains the secret key.
//!
//! # Features
//!
//! - `os-env` (default): [`Env::from_system`], [`env::system_now_ms`] and
//!   [`env::random_nonce`], from the system clock and the operating system's
//!   randomness (`crypto.getRandomValues` on `wasm32-unknown-unknown`).

#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod call;
pub mod catalogue;
mod credentials;
pub mod env;
pub mod error;
mod generated;
pub mod lenient;
pub mod pagination;
pub mod request;
pub mod response;
pub mod retry;
pub mod signing;
mod url;
pub mod webhook;

pub use generated::operations;

pub use credentials::Credentials;
pub use env::Env;
pub use error::{Error, Result};
pub use request::{BaseUrl, Body, Client, PreparedRequest, Request};
pub use response::{List, Response};
