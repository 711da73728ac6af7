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
//! ```
//! use zephr_admin::{BaseUrl, Client, Credentials, Env, Request, Response};
//! use serde_json::Value;
//!
//! let client = Client::new(
//!     Credentials::new("my-access-key", "my-secret-key")?,
//!     BaseUrl::tenant("news")?,
//! );
//! let request = Request::get("/v3/users/{user_id}/sessions").path_param("user_id", "u-1");
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

pub mod call;
mod credentials;
mod env;
mod error;
mod generated;
pub mod lenient;
mod operation;
mod pagination;
mod request;
mod response;
mod retry;
mod sign;
mod url;
pub mod webhook;

pub use credentials::Credentials;
pub use env::{Env, parse_timestamp, timestamp_from_f64};
#[cfg(feature = "os-env")]
pub use env::{random_nonce, system_now_ms};
pub use error::{ApiError, ApiErrorCode, DecodeError, Error, InputError, InputErrorKind};
pub use generated::operations;
pub use operation::{
    BodyKind, EXTRA, OPERATIONS, Operation, OperationSpec, Pagination, ParamLocation, ParamSpec,
    ParamType, ResponseKind, find_operation, require_operation,
};
pub use pagination::next_page;
pub use request::{Body, Client, PreparedRequest, Request, USER_AGENT};
pub use response::{Ignored, List, Response};
pub use retry::{Outcome, RetryDecision, RetryPolicy, parse_http_date, parse_retry_after};
pub use sign::{ParsedAuthorization, Refusal, SCHEME, SignableRequest, Signature, sign};
pub use url::{BaseUrl, encode_component, encode_query};
