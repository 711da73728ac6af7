//! Receiving Zephr webhooks: credential checks, the typed envelope, staleness
//! and dedupe keys, and a testing kit that builds valid deliveries.
//!
//! Zephr does not sign webhooks. A webhook target can instead be given
//! credentials (Settings, Webhook Credentials): HTTP Basic (user and password)
//! or a Bearer token, sent in the `Authorization` header of every delivery.
//! [`WebhookVerifier`] checks that header in constant time, parses the body into
//! a [`WebhookEvent`] and optionally refuses events whose `time` is outside a
//! window around the caller's clock. Like the rest of the core it is sans-IO:
//! the host hands in the header, the raw body and the current time.
//!
//! ```
//! use zephr_admin::webhook::{EventType, WebhookCredentials, WebhookVerifier, test_request};
//!
//! let credentials = WebhookCredentials::bearer("s3cret-token")?;
//! let verifier = WebhookVerifier::new(credentials.clone()).with_tolerance_ms(5 * 60 * 1000);
//!
//! // A delivery as Zephr would send it (here built by the testing kit).
//! let body = br#"{"tenantId":"news","type":"CREATE_USER","time":1700000000000,
//!                "details":{"user_id":"u-1"},"webhook":"crm"}"#;
//! let delivery = test_request(&credentials, body);
//!
//! let event = verifier.verify(delivery.authorization(), &delivery.body, 1_700_000_001_000)?;
//! assert_eq!(event.event_type, EventType::CreateUser);
//! assert_eq!(event.user().map(|u| u.user_id.as_str()), Some("u-1"));
//! # Ok::<(), zephr_admin::webhook::WebhookError>(())
//! ```

use std::fmt;

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

// ---------------------------------------------------------------------------
// Errors

/// Why a webhook delivery was refused. Every variant has a stable
/// [`code`](WebhookError::code); no message ever contains a credential.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum WebhookError {
    /// The delivery has no `Authorization` header.
    MissingAuthorization,
    /// The header is there but cannot be read: wrong scheme, bad base64, no
    /// `user:password` pair, empty token. The reason says which.
    MalformedAuthorization(MalformedReason),
    /// The header is well formed but does not carry the configured credentials.
    WrongCredentials,
    /// The body is not a Zephr webhook envelope (not JSON, not an object, a
    /// required member missing or of the wrong type).
    InvalidBody(String),
    /// `time` is further from `now` than the configured window.
    StaleEvent {
        /// `now - time` in milliseconds (negative for an event from the future).
        age_ms: i64,
        /// The configured window.
        tolerance_ms: u64,
    },
    /// The verifier's own configuration is unusable (an empty token, a user
    /// name with `:`); raised when credentials are built, never for a delivery.
    InvalidConfig(String),
}

/// What was wrong with a present but unreadable `Authorization` header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MalformedReason {
    /// The scheme is not the configured one (`Basic` or `Bearer`).
    WrongScheme,
    /// The value after the scheme is empty.
    EmptyCredentials,
    /// The Basic value is not valid base64.
    InvalidBase64,
    /// The decoded Basic value has no `:` between user and password.
    MissingColon,
}

impl MalformedReason {
    /// A stable snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            MalformedReason::WrongScheme => "wrong_scheme",
            MalformedReason::EmptyCredentials => "empty_credentials",
            MalformedReason::InvalidBase64 => "invalid_base64",
            MalformedReason::MissingColon => "missing_colon",
        }
    }
}

impl WebhookError {
    /// The stable snake_case code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            WebhookError::MissingAuthorization => "webhook_missing_authorization",
            WebhookError::MalformedAuthorization(_) => "webhook_malformed_authorization",
            WebhookError::WrongCredentials => "webhook_wrong_credentials",
            WebhookError::InvalidBody(_) => "webhook_invalid_body",
            WebhookError::StaleEvent { .. } => "webhook_stale_event",
            WebhookError::InvalidConfig(_) => "webhook_invalid_config",
        }
    }
}

impl fmt::Display for WebhookError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.code())?;
        match self {
            WebhookError::MissingAuthorization => {
                f.write_str("the delivery has no Authorization header")
            }
            WebhookError::MalformedAuthorization(reason) => write!(
                f,
                "the Authorization header cannot be read ({})",
                reason.as_str()
            ),
            WebhookError::WrongCredentials => {
                f.write_str("the Authorization header does not carry the configured credentials")
            }
            WebhookError::InvalidBody(why) => {
                write!(f, "the body is not a Zephr webhook envelope: {why}")
            }
            WebhookError::StaleEvent {
                age_ms,
                tolerance_ms,
            } => write!(
                f,
                "the event's time is {age_ms} ms from now, outside the {tolerance_ms} ms window"
            ),
            WebhookError::InvalidConfig(why) => write!(f, "invalid webhook credentials: {why}"),
        }
    }
}

impl std::error::Error for WebhookError {}

// ---------------------------------------------------------------------------
// Credentials

/// The credentials a webhook target was configured with. `Debug` shows the
/// kind and the Basic user name only; secrets are zeroed on drop.
#[derive(Clone)]
#[non_exhaustive]
pub enum WebhookCredentials {
    /// HTTP Basic: `Authorization: Basic base64(user:password)`.
    Basic {
        /// User name (no `:`, which would make the pair ambiguous).
        username: String,
        /// Password (zeroed on drop).
        password: Zeroizing<String>,
    },
    /// `Authorization: Bearer <token>`.
    Bearer(Zeroizing<String>),
}

impl WebhookCredentials {
    /// Basic credentials. The user name must not contain `:`; neither part may be empty.
    ///
    /// ```
    /// use zephr_admin::webhook::WebhookCredentials;
    ///
    /// let credentials = WebhookCredentials::basic("zephr", "s3cret")?;
    /// assert_eq!(credentials.authorization().as_str(), "Basic emVwaHI6czNjcmV0");
    /// assert!(!format!("{credentials:?}").contains("s3cret"));
    /// assert_eq!(WebhookCredentials::basic("a:b", "pw").unwrap_err().code(), "webhook_invalid_config");
    /// # Ok::<(), zephr_admin::webhook::WebhookError>(())
    /// ```
    pub fn basic(
        username: impl Into<String>,
        password: impl Into<String>,
    ) -> Result<Self, WebhookError> {
        let username = username.into();
        let password = Zeroizing::new(password.into());
        if username.is_empty() || password.is_empty() {
            return Err(WebhookError::InvalidConfig(
                "the Basic user name and password must not be empty".into(),
            ));
        }
        if username.contains(':') || username.chars().any(char::is_control) {
            return Err(WebhookError::InvalidConfig(
                "the Basic user name must not contain ':' or control characters".into(),
            ));
        }
        Ok(WebhookCredentials::Basic { username, password })
    }

    /// A Bearer token: non-empty visible ASCII (it travels in a header).
    ///
    /// ```
    /// use zephr_admin::webhook::WebhookCredentials;
    ///
    /// let credentials = WebhookCredentials::bearer("t0ken")?;
    /// assert_eq!((credentials.kind(), credentials.authorization().as_str()), ("bearer", "Bearer t0ken"));
    /// assert!(WebhookCredentials::bearer("two words").is_err());
    /// # Ok::<(), zephr_admin::webhook::WebhookError>(())
    /// ```
    pub fn bearer(token: impl Into<String>) -> Result<Self, WebhookError> {
        let token = Zeroizing::new(token.into());
        if token.is_empty() || !token.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(WebhookError::InvalidConfig(
                "the Bearer token must be non-empty visible ASCII".into(),
            ));
        }
        Ok(WebhookCredentials::Bearer(token))
    }

    /// The `Authorization` header value a delivery carries (zeroed on drop).
    pub fn authorization(&self) -> Zeroizing<String> {
        match self {
            WebhookCredentials::Basic { username, password } => {
                let mut pair =
                    Zeroizing::new(Vec::with_capacity(username.len() + password.len() + 1));
                pair.extend_from_slice(username.as_bytes());
                pair.push(b':');
                pair.extend_from_slice(password.as_bytes());
                Zeroizing::new(format!("Basic {}", base64_encode(&pair).as_str()))
            }
            WebhookCredentials::Bearer(token) => {
                Zeroizing::new(format!("Bearer {}", token.as_str()))
            }
        }
    }

    /// `"basic"` or `"bearer"`.
    pub fn kind(&self) -> &'static str {
        match self {
            WebhookCredentials::Basic { .. } => "basic",
            WebhookCredentials::Bearer(_) => "bearer",
        }
    }
}

impl fmt::Debug for WebhookCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WebhookCredentials::Basic { username, .. } => f
                .debug_struct("Basic")
                .field("username", username)
                .field("password", &"<redacted>")
                .finish(),
            WebhookCredentials::Bearer(_) => f.debug_tuple("Bearer").field(&"<redacted>").finish(),
        }
    }
}

// ---------------------------------------------------------------------------
// Constant-time comparison

/// Compares `received` with `expected` without an early exit: every byte of
/// `expected` is visited whatever the content, so the time taken depends on
/// the lengths only. Returns the accumulated difference (0 means equal) and
/// the number of byte pairs visited, which the tests use to prove that no
/// comparison stops early.
fn ct_diff(expected: &[u8], received: &[u8]) -> (u8, usize) {
    let mut diff = u8::from(expected.len() != received.len());
    let mut visited = 0;
    for (i, e) in expected.iter().enumerate() {
        // Past the end of `received` compare against a byte that cannot
        // match `e` (its complement); the length flag already holds anyway.
        let r = received.get(i).copied().unwrap_or(!*e);
        diff |= std::hint::black_box(e ^ r);
        visited += 1;
    }
    (diff, visited)
}

/// `true` when both byte strings are equal, compared in constant time for a
/// given `expected` length.
///
/// ```
/// use zephr_admin::webhook::constant_time_eq;
///
/// assert!(constant_time_eq(b"Bearer abc", b"Bearer abc"));
/// assert!(!constant_time_eq(b"Bearer abc", b"Bearer ab"));
/// ```
#[must_use]
pub fn constant_time_eq(expected: &[u8], received: &[u8]) -> bool {
    ct_diff(expected, received).0 == 0
}

// ---------------------------------------------------------------------------
// The envelope

/// The kind of a webhook event: the documented `type` names, plus
/// [`Unknown`](EventType::Unknown) which keeps any other name as received.
///
/// Only `CREATE_USER` is spelled out in Zephr's documentation; the other
/// names follow its pattern and the documented trigger list (see
/// `spec/webhooks.json`, where each is marked SEEN or INFERRED).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EventType {
    /// A user was created (registration, Admin Console or Admin API).
    CreateUser,
    /// A user was deleted.
    DeleteUser,
    /// A user was updated.
    UpdateUser,
    /// A user's email address changed.
    UpdateUserEmail,
    /// A user's extended profile was updated.
    UpdateExtendedProfile,
    /// A user's extended profile was deleted.
    DeleteExtendedProfile,
    /// A session was created (including anonymous ones).
    CreateSession,
    /// A user logged in.
    Login,
    /// A user verified their email address.
    EmailVerified,
    /// A user was added to an account.
    AddToAccount,
    /// A user was removed from an account.
    RemoveFromAccount,
    /// A product was granted.
    Grant,
    /// A grant started.
    GrantStarted,
    /// A grant ended.
    GrantEnded,
    /// A subscription changed.
    SubscriptionChange,
    /// A subscription was cancelled.
    SubscriptionCancellation,
    /// An access decision was made.
    DecisionAccess,
    /// A rule produced an outcome (analytics).
    RuleOutcome,
    /// A user was deleted for inactivity (data retention).
    InactivityDelete,
    /// Any other name, kept as received.
    Unknown(String),
}

/// Every known event type with its wire name (one table for both directions).
const EVENT_TYPES: &[(EventType, &str)] = &[
    (EventType::CreateUser, "CREATE_USER"),
    (EventType::DeleteUser, "DELETE_USER"),
    (EventType::UpdateUser, "UPDATE_USER"),
    (EventType::UpdateUserEmail, "UPDATE_USER_EMAIL"),
    (EventType::UpdateExtendedProfile, "UPDATE_EXTENDED_PROFILE"),
    (EventType::DeleteExtendedProfile, "DELETE_EXTENDED_PROFILE"),
    (EventType::CreateSession, "CREATE_SESSION"),
    (EventType::Login, "LOGIN"),
    (EventType::EmailVerified, "EMAIL_VERIFIED"),
    (EventType::AddToAccount, "ADD_USER_TO_ACCOUNT"),
    (EventType::RemoveFromAccount, "REMOVE_USER_FROM_ACCOUNT"),
    (EventType::Grant, "GRANT"),
    (EventType::GrantStarted, "GRANT_STARTED"),
    (EventType::GrantEnded, "GRANT_ENDED"),
    (EventType::SubscriptionChange, "SUBSCRIPTION_CHANGE"),
    (
        EventType::SubscriptionCancellation,
        "SUBSCRIPTION_CANCELLATION",
    ),
    (EventType::DecisionAccess, "DECISION_ACCESS"),
    (EventType::RuleOutcome, "RULE_OUTCOME"),
    (EventType::InactivityDelete, "INACTIVITY_DELETE"),
];

impl EventType {
    /// The type for a wire name; unknown names are kept in `Unknown`.
    ///
    /// ```
    /// use zephr_admin::webhook::EventType;
    ///
    /// assert_eq!(EventType::from_name("CREATE_USER"), EventType::CreateUser);
    /// assert_eq!(EventType::from_name("NEW_THING").as_str(), "NEW_THING");
    /// assert!(EventType::known().all(|t| !matches!(t, EventType::Unknown(_))));
    /// ```
    pub fn from_name(name: &str) -> EventType {
        EVENT_TYPES
            .iter()
            .find(|(_, wire)| *wire == name)
            .map(|(t, _)| t.clone())
            .unwrap_or_else(|| EventType::Unknown(name.to_owned()))
    }

    /// The wire name (`"CREATE_USER"`, ...; an unknown one as received).
    pub fn as_str(&self) -> &str {
        match self {
            EventType::Unknown(name) => name,
            known => EVENT_TYPES
                .iter()
                .find(|(t, _)| t == known)
                .map(|(_, wire)| *wire)
                .unwrap_or(""),
        }
    }

    /// Every known type (not `Unknown`).
    pub fn known() -> impl Iterator<Item = EventType> {
        EVENT_TYPES.iter().map(|(t, _)| t.clone())
    }

    /// Whether `details` is a user record for this type (the documented shape
    /// of `CREATE_USER`; the other user events are assumed to share it).
    fn has_user_details(&self) -> bool {
        matches!(
            self,
            EventType::CreateUser
                | EventType::DeleteUser
                | EventType::UpdateUser
                | EventType::UpdateUserEmail
                | EventType::EmailVerified
        )
    }
}

impl fmt::Display for EventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The user record in `details`, as documented for `CREATE_USER`. Members not
/// listed here are kept in `extra`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct UserDetails {
    /// The user's id.
    pub user_id: String,
    /// Identifiers (`email_address`, ...).
    pub identifiers: Map<String, Value>,
    /// Attributes (`first-name`, ...).
    pub attributes: Map<String, Value>,
    /// Whether the email address is verified.
    pub email_verified: Option<bool>,
    /// Tracking id.
    pub tracking_id: Option<String>,
    /// Registration time (ISO 8601 text as sent).
    pub registered: Option<String>,
    /// Registration state (`"complete"`, ...).
    pub registration_state: Option<String>,
    /// Every other member, as received.
    pub extra: Map<String, Value>,
}

impl UserDetails {
    /// The user record in `details`: `None` unless it has a string `user_id`
    /// and every documented member present has its documented JSON type.
    /// (Read by hand rather than derived: it keeps the wasm module small.)
    ///
    /// ```
    /// use serde_json::json;
    /// use zephr_admin::webhook::UserDetails;
    ///
    /// let user = UserDetails::from_details(&json!({"user_id": "u-1", "email_verified": true})).unwrap();
    /// assert_eq!((user.user_id.as_str(), user.email_verified), ("u-1", Some(true)));
    /// assert!(UserDetails::from_details(&json!({"user_id": 7})).is_none());
    /// ```
    pub fn from_details(details: &Value) -> Option<UserDetails> {
        let mut extra = details.as_object()?.clone();
        let text = |v: Value| match v {
            Value::String(s) => Some(s),
            _ => None,
        };
        let mut optional_text = |key: &str| match extra.remove(key) {
            None | Some(Value::Null) => Some(None),
            Some(v) => text(v).map(Some),
        };
        let tracking_id = optional_text("tracking_id")?;
        let registered = optional_text("registered")?;
        let registration_state = optional_text("registration_state")?;
        let user_id = text(extra.remove("user_id")?)?;
        let mut object = |key: &str| match extra.remove(key) {
            None | Some(Value::Null) => Some(Map::new()),
            Some(Value::Object(map)) => Some(map),
            Some(_) => None,
        };
        let identifiers = object("identifiers")?;
        let attributes = object("attributes")?;
        let email_verified = match extra.remove("email_verified") {
            None | Some(Value::Null) => None,
            Some(Value::Bool(b)) => Some(b),
            Some(_) => return None,
        };
        Some(UserDetails {
            user_id,
            identifiers,
            attributes,
            email_verified,
            tracking_id,
            registered,
            registration_state,
            extra,
        })
    }
}

/// `details`: typed where the documentation shows its shape, raw JSON elsewhere.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Details {
    /// A user record (user events whose `details` has a `user_id`).
    User(Box<UserDetails>),
    /// Any other shape, as received (`null` when absent).
    Raw(Value),
}

/// A parsed webhook delivery:
/// `{tenantId, subTenantId, type, time, details, webhook}`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct WebhookEvent {
    /// `type`.
    pub event_type: EventType,
    /// `time`: milliseconds since the Unix epoch.
    pub time: i64,
    /// `tenantId`.
    pub tenant_id: Option<String>,
    /// `subTenantId`.
    pub sub_tenant_id: Option<String>,
    /// `webhook`: the label of the webhook that fired.
    pub webhook: Option<String>,
    /// `details`.
    pub details: Details,
    /// `details` exactly as received (also for typed details).
    pub raw_details: Value,
    /// Stable across redeliveries of the same event; see [`dedupe_key`].
    pub dedupe_key: String,
}

impl WebhookEvent {
    /// The user record, for user events.
    pub fn user(&self) -> Option<&UserDetails> {
        match &self.details {
            Details::User(user) => Some(user),
            Details::Raw(_) => None,
        }
    }
}

/// Parses a raw body into a [`WebhookEvent`], without any credential check.
///
/// The body must be a JSON object with a string `type` and an integer `time`
/// (milliseconds); `tenantId`, `subTenantId` and `webhook` are optional
/// strings, `details` any JSON. Anything else is [`WebhookError::InvalidBody`].
///
/// ```
/// use zephr_admin::webhook::{EventType, dedupe_key, parse_event};
///
/// let body = br#"{"type":"DELETE_USER","time":1700000000000,"details":{"user_id":"u-1"}}"#;
/// let event = parse_event(body)?;
/// assert_eq!((event.event_type.clone(), event.time), (EventType::DeleteUser, 1_700_000_000_000));
/// // The same envelope delivered twice has the same key.
/// assert_eq!(dedupe_key(&event), dedupe_key(&parse_event(body)?));
/// assert_eq!(parse_event(b"[]").unwrap_err().code(), "webhook_invalid_body");
/// # Ok::<(), zephr_admin::webhook::WebhookError>(())
/// ```
pub fn parse_event(body: &[u8]) -> Result<WebhookEvent, WebhookError> {
    let value: Value = serde_json::from_slice(body).map_err(|e| {
        WebhookError::InvalidBody(format!(
            "not JSON (line {}, column {})",
            e.line(),
            e.column()
        ))
    })?;
    let Value::Object(mut envelope) = value else {
        return Err(WebhookError::InvalidBody("not a JSON object".into()));
    };
    let event_type = match envelope.get("type") {
        Some(Value::String(name)) if !name.is_empty() => EventType::from_name(name),
        Some(_) => {
            return Err(WebhookError::InvalidBody(
                "`type` is not a non-empty string".into(),
            ));
        }
        None => return Err(WebhookError::InvalidBody("`type` is missing".into())),
    };
    let time = match envelope.get("time") {
        Some(Value::Number(n)) => n
            .as_i64()
            .ok_or_else(|| WebhookError::InvalidBody("`time` is not an integer".into()))?,
        Some(_) => return Err(WebhookError::InvalidBody("`time` is not a number".into())),
        None => return Err(WebhookError::InvalidBody("`time` is missing".into())),
    };
    let text = |key: &str| -> Result<Option<String>, WebhookError> {
        match envelope.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(WebhookError::InvalidBody(format!(
                "`{key}` is not a string"
            ))),
        }
    };
    let tenant_id = text("tenantId")?;
    let sub_tenant_id = text("subTenantId")?;
    let webhook = text("webhook")?;
    let raw_details = envelope.remove("details").unwrap_or(Value::Null);
    let details = match UserDetails::from_details(&raw_details) {
        Some(user) if event_type.has_user_details() => Details::User(Box::new(user)),
        _ => Details::Raw(raw_details.clone()),
    };
    let mut event = WebhookEvent {
        event_type,
        time,
        tenant_id,
        sub_tenant_id,
        webhook,
        details,
        raw_details,
        dedupe_key: String::new(),
    };
    event.dedupe_key = dedupe_key(&event);
    Ok(event)
}

/// A key that is equal for two deliveries of the same event and differs when
/// any part of the envelope differs.
///
/// Zephr's envelope carries no event id, so the key is a SHA-256 over the
/// envelope's members (each length-prefixed, so no two envelopes share an
/// encoding): `zwh_` and 32 hex digits. Store it and skip events you have seen
/// (see [`parse_event`] for an example).
#[must_use]
pub fn dedupe_key(event: &WebhookEvent) -> String {
    let mut hash = Sha256::new();
    let details = event.raw_details.to_string();
    let time = event.time.to_string();
    let parts: [Option<&str>; 6] = [
        Some(event.event_type.as_str()),
        Some(&time),
        event.tenant_id.as_deref(),
        event.sub_tenant_id.as_deref(),
        event.webhook.as_deref(),
        Some(&details),
    ];
    for part in parts {
        match part {
            Some(text) => {
                hash.update([1]);
                hash.update((text.len() as u64).to_be_bytes());
                hash.update(text.as_bytes());
            }
            None => hash.update([0]),
        }
    }
    let digest = hash.finalize();
    let mut key = String::from("zwh_");
    for byte in digest.iter().take(16) {
        key.push_str(&format!("{byte:02x}"));
    }
    key
}

// ---------------------------------------------------------------------------
// The verifier

/// Checks deliveries against configured credentials and, optionally, a
/// staleness window.
#[derive(Debug, Clone)]
pub struct WebhookVerifier {
    credentials: WebhookCredentials,
    tolerance_ms: Option<u64>,
}

impl WebhookVerifier {
    /// A verifier for these credentials, with no staleness check.
    pub fn new(credentials: WebhookCredentials) -> Self {
        WebhookVerifier {
            credentials,
            tolerance_ms: None,
        }
    }

    /// Refuse events whose `time` is more than `tolerance_ms` from `now`, in
    /// either direction. Zephr has no replay protection of its own; a window
    /// plus the [`dedupe_key`] is the receiver's defence.
    pub fn with_tolerance_ms(mut self, tolerance_ms: u64) -> Self {
        self.tolerance_ms = Some(tolerance_ms);
        self
    }

    /// Checks only the `Authorization` header.
    ///
    /// ```
    /// use zephr_admin::webhook::{WebhookCredentials, WebhookVerifier};
    ///
    /// let verifier = WebhookVerifier::new(WebhookCredentials::bearer("t0ken")?);
    /// assert!(verifier.check_authorization(Some("Bearer t0ken")).is_ok());
    /// assert_eq!(verifier.check_authorization(Some("Bearer nope")).unwrap_err().code(), "webhook_wrong_credentials");
    /// assert!(verifier.check_authorization(None).is_err());
    /// # Ok::<(), zephr_admin::webhook::WebhookError>(())
    /// ```
    pub fn check_authorization(&self, authorization: Option<&str>) -> Result<(), WebhookError> {
        let header = authorization
            .ok_or(WebhookError::MissingAuthorization)?
            .trim();
        if header.is_empty() {
            return Err(WebhookError::MissingAuthorization);
        }
        let (scheme, value) = header.split_once(' ').unwrap_or((header, ""));
        let value = value.trim_start();
        let malformed = |reason| Err(WebhookError::MalformedAuthorization(reason));
        let matches = match &self.credentials {
            WebhookCredentials::Bearer(token) => {
                if !scheme.eq_ignore_ascii_case("bearer") {
                    return malformed(MalformedReason::WrongScheme);
                }
                if value.is_empty() {
                    return malformed(MalformedReason::EmptyCredentials);
                }
                constant_time_eq(token.as_bytes(), value.as_bytes())
            }
            WebhookCredentials::Basic { username, password } => {
                if !scheme.eq_ignore_ascii_case("basic") {
                    return malformed(MalformedReason::WrongScheme);
                }
                if value.is_empty() {
                    return malformed(MalformedReason::EmptyCredentials);
                }
                let Some(pair) = base64_decode(value) else {
                    return malformed(MalformedReason::InvalidBase64);
                };
                let Some(colon) = pair.iter().position(|&b| b == b':') else {
                    return malformed(MalformedReason::MissingColon);
                };
                let (user, rest) = pair.split_at(colon);
                let pass = rest.get(1..).unwrap_or_default();
                // Both halves are always compared: `&`, not `&&`.
                constant_time_eq(username.as_bytes(), user)
                    & constant_time_eq(password.as_bytes(), pass)
            }
        };
        if matches {
            Ok(())
        } else {
            Err(WebhookError::WrongCredentials)
        }
    }

    /// Checks the header, parses the body and applies the staleness window.
    /// `now_ms` is the receiver's clock in milliseconds since the Unix epoch
    /// (only used when a window is set; see the [module](self) example).
    pub fn verify(
        &self,
        authorization: Option<&str>,
        body: &[u8],
        now_ms: i64,
    ) -> Result<WebhookEvent, WebhookError> {
        self.check_authorization(authorization)?;
        let event = parse_event(body)?;
        if let Some(tolerance_ms) = self.tolerance_ms {
            let age_ms = now_ms.saturating_sub(event.time);
            if age_ms.unsigned_abs() > tolerance_ms {
                return Err(WebhookError::StaleEvent {
                    age_ms,
                    tolerance_ms,
                });
            }
        }
        Ok(event)
    }
}

// ---------------------------------------------------------------------------
// Testing kit

/// A webhook delivery as Zephr sends it: method, headers and body. Built by
/// [`test_request`] and [`TestEvent::request`]; the emulator sends these.
#[derive(Clone)]
#[non_exhaustive]
pub struct WebhookRequest {
    /// HTTP method (`POST` unless configured otherwise).
    pub method: String,
    /// Headers: `content-type` and `authorization` (when credentials are set).
    pub headers: Vec<(String, String)>,
    /// The JSON body.
    pub body: Vec<u8>,
}

impl WebhookRequest {
    /// The `Authorization` header, when there is one.
    pub fn authorization(&self) -> Option<&str> {
        self.headers
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case("authorization"))
            .map(|(_, value)| value.as_str())
    }
}

impl fmt::Debug for WebhookRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(n, v)| {
                let shown = if n.eq_ignore_ascii_case("authorization") {
                    "<redacted>"
                } else {
                    v
                };
                (n.as_str(), shown)
            })
            .collect();
        f.debug_struct("WebhookRequest")
            .field("method", &self.method)
            .field("headers", &headers)
            .field("body", &String::from_utf8_lossy(&self.body))
            .finish()
    }
}

/// A POST delivery of `body` carrying `credentials` (see the [module](self)
/// example).
pub fn test_request(credentials: &WebhookCredentials, body: &[u8]) -> WebhookRequest {
    deliver("POST", Some(credentials), body.to_vec())
}

/// One builder for every delivery (tests and the emulator alike).
fn deliver(
    method: &str,
    credentials: Option<&WebhookCredentials>,
    body: Vec<u8>,
) -> WebhookRequest {
    let mut headers = vec![("content-type".to_owned(), "application/json".to_owned())];
    if let Some(credentials) = credentials {
        headers.push((
            "authorization".to_owned(),
            credentials.authorization().to_string(),
        ));
    }
    WebhookRequest {
        method: method.to_owned(),
        headers,
        body,
    }
}

/// An event to deliver: the envelope's members, serialised in Zephr's order.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct TestEvent {
    /// `type`.
    pub event_type: EventType,
    /// `time` in milliseconds.
    pub time: i64,
    /// `tenantId`.
    pub tenant_id: String,
    /// `subTenantId`.
    pub sub_tenant_id: String,
    /// `details`.
    pub details: Value,
    /// `webhook` (the label).
    pub webhook: String,
}

impl TestEvent {
    /// An event of `event_type` at `time_ms` with these details, for tenant
    /// `test` and webhook label `test`.
    pub fn new(event_type: EventType, time_ms: i64, details: Value) -> Self {
        TestEvent {
            event_type,
            time: time_ms,
            tenant_id: "test".into(),
            sub_tenant_id: "test".into(),
            details,
            webhook: "test".into(),
        }
    }

    /// The same event for another tenant and sub-tenant.
    ///
    /// ```
    /// use serde_json::Value;
    /// use zephr_admin::webhook::{EventType, TestEvent};
    ///
    /// let event = TestEvent::new(EventType::DeleteUser, 0, Value::Null)
    ///     .with_tenant("news", "news-uk")
    ///     .with_webhook("crm-sync");
    /// assert_eq!((event.tenant_id.as_str(), event.webhook.as_str()), ("news", "crm-sync"));
    /// ```
    #[must_use]
    pub fn with_tenant(
        mut self,
        tenant_id: impl Into<String>,
        sub_tenant_id: impl Into<String>,
    ) -> Self {
        self.tenant_id = tenant_id.into();
        self.sub_tenant_id = sub_tenant_id.into();
        self
    }

    /// The same event under another webhook label.
    #[must_use]
    pub fn with_webhook(mut self, label: impl Into<String>) -> Self {
        self.webhook = label.into();
        self
    }

    /// The JSON body: `{tenantId, subTenantId, type, time, details, webhook}`.
    pub fn body(&self) -> Vec<u8> {
        let mut out = Map::new();
        out.insert("tenantId".into(), Value::String(self.tenant_id.clone()));
        out.insert(
            "subTenantId".into(),
            Value::String(self.sub_tenant_id.clone()),
        );
        out.insert(
            "type".into(),
            Value::String(self.event_type.as_str().to_owned()),
        );
        out.insert("time".into(), Value::from(self.time));
        out.insert("details".into(), self.details.clone());
        out.insert("webhook".into(), Value::String(self.webhook.clone()));
        Value::Object(out).to_string().into_bytes()
    }

    /// The delivery: `method` (GET, POST, PUT or DELETE), the body, and the
    /// `Authorization` header of `credentials` when given.
    ///
    /// ```
    /// use serde_json::json;
    /// use zephr_admin::webhook::{EventType, TestEvent, WebhookCredentials, WebhookVerifier};
    ///
    /// let credentials = WebhookCredentials::basic("zephr", "s3cret")?;
    /// let event = TestEvent::new(EventType::CreateUser, 1_700_000_000_000, json!({"user_id": "u-1"}));
    /// let delivery = event.request("PUT", Some(&credentials));
    /// assert_eq!(delivery.method, "PUT");
    /// let received = WebhookVerifier::new(credentials).verify(delivery.authorization(), &delivery.body, 0)?;
    /// assert_eq!(received.tenant_id.as_deref(), Some("test"));
    /// # Ok::<(), zephr_admin::webhook::WebhookError>(())
    /// ```
    pub fn request(
        &self,
        method: &str,
        credentials: Option<&WebhookCredentials>,
    ) -> WebhookRequest {
        deliver(method, credentials, self.body())
    }
}

// ---------------------------------------------------------------------------
// Base64 (standard alphabet, padded), for Basic credentials

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn base64_encode(input: &[u8]) -> Zeroizing<String> {
    let mut out = Zeroizing::new(String::with_capacity(input.len().div_ceil(3) * 4));
    for chunk in input.chunks(3) {
        let b = [
            chunk.first().copied().unwrap_or(0),
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18u32, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                let digit = B64
                    .get(((n >> shift) & 63) as usize)
                    .copied()
                    .unwrap_or(b'=');
                out.push(char::from(digit));
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn base64_decode(input: &str) -> Option<Zeroizing<Vec<u8>>> {
    let bytes = input.as_bytes();
    if bytes.is_empty() || !bytes.len().is_multiple_of(4) {
        return None;
    }
    let mut out = Zeroizing::new(Vec::with_capacity(bytes.len() / 4 * 3));
    let last = bytes.len() / 4 - 1;
    for (index, chunk) in bytes.chunks(4).enumerate() {
        let pad = chunk.iter().rev().take_while(|&&c| c == b'=').count();
        if pad > 2 || (pad > 0 && index != last) {
            return None;
        }
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            let v = if i >= 4 - pad {
                0
            } else {
                B64.iter().position(|&a| a == c)? as u32
            };
            n = (n << 6) | v;
        }
        let decoded = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(decoded.get(..3 - pad)?);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

    use super::*;
    use serde_json::json;
    // Under wasm32, `#[test]` is wasm-bindgen-test's: the tests run in Node.
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    const NOW: i64 = 1_700_000_000_000;

    fn body(event_type: &str, time: i64) -> Vec<u8> {
        TestEvent::new(
            EventType::from_name(event_type),
            time,
            json!({"user_id": "u-1", "identifiers": {"email_address": "a@example.com"}, "foo": 1}),
        )
        .body()
    }

    #[test]
    fn base64_round_trips_and_refuses_bad_input() {
        for input in [&b""[..], b"a", b"ab", b"abc", b"abcd", b"user:p\xffss"] {
            let encoded = base64_encode(input);
            if input.is_empty() {
                assert!(base64_decode(&encoded).is_none());
            } else {
                assert_eq!(base64_decode(&encoded).unwrap().as_slice(), input);
            }
        }
        assert_eq!(
            base64_encode(b"Aladdin:open sesame").as_str(),
            "QWxhZGRpbjpvcGVuIHNlc2FtZQ=="
        );
        for bad in ["abc", "ab=c", "====", "a===", "ab!d", "QQ==QQ=="] {
            assert!(base64_decode(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn comparison_visits_every_byte_of_the_expected_value() {
        let expected = b"0123456789abcdef0123456789abcdef";
        let mut first_wrong = *expected;
        first_wrong[0] ^= 1;
        let mut last_wrong = *expected;
        last_wrong[31] ^= 1;
        // Equal-length wrong tokens: wrong at the first byte costs exactly as
        // many comparisons as wrong at the last byte or fully right.
        for candidate in [
            &expected[..],
            &first_wrong[..],
            &last_wrong[..],
            &[0u8; 32][..],
        ] {
            let (diff, visited) = ct_diff(expected, candidate);
            assert_eq!(visited, expected.len());
            assert_eq!(diff == 0, candidate == expected);
        }
        // Shorter and longer inputs too: the loop runs over the expected value only.
        for candidate in [&b""[..], &b"0"[..], &[b'0'; 64][..]] {
            let (diff, visited) = ct_diff(expected, candidate);
            assert_eq!(visited, expected.len());
            assert_ne!(diff, 0);
        }
        // A prefix of the expected value is not equal to it.
        assert!(!constant_time_eq(expected, &expected[..31]));
        assert!(constant_time_eq(b"", b""));
    }

    #[test]
    fn bearer_accepts_the_token_and_refuses_the_rest() {
        let v = WebhookVerifier::new(WebhookCredentials::bearer("tok-123").unwrap());
        assert_eq!(v.check_authorization(Some("Bearer tok-123")), Ok(()));
        assert_eq!(v.check_authorization(Some("bearer   tok-123")), Ok(()));
        assert_eq!(
            v.check_authorization(None),
            Err(WebhookError::MissingAuthorization)
        );
        assert_eq!(
            v.check_authorization(Some("  ")),
            Err(WebhookError::MissingAuthorization)
        );
        assert_eq!(
            v.check_authorization(Some("Bearer tok-124")),
            Err(WebhookError::WrongCredentials)
        );
        assert_eq!(
            v.check_authorization(Some("Bearer tok-1234")),
            Err(WebhookError::WrongCredentials)
        );
        assert_eq!(
            v.check_authorization(Some("Basic dG9rLTEyMw==")),
            Err(WebhookError::MalformedAuthorization(
                MalformedReason::WrongScheme
            ))
        );
        assert_eq!(
            v.check_authorization(Some("Bearer")),
            Err(WebhookError::MalformedAuthorization(
                MalformedReason::EmptyCredentials
            ))
        );
    }

    #[test]
    fn basic_accepts_the_pair_and_refuses_the_rest() {
        let creds = WebhookCredentials::basic("zephr", "pa:ss").unwrap();
        let v = WebhookVerifier::new(creds.clone());
        assert_eq!(v.check_authorization(Some(&creds.authorization())), Ok(()));
        let header = |pair: &str| format!("Basic {}", base64_encode(pair.as_bytes()).as_str());
        assert_eq!(v.check_authorization(Some(&header("zephr:pa:ss"))), Ok(()));
        assert_eq!(
            v.check_authorization(Some(&header("zephr:pa:sx"))),
            Err(WebhookError::WrongCredentials)
        );
        assert_eq!(
            v.check_authorization(Some(&header("zephx:pa:ss"))),
            Err(WebhookError::WrongCredentials)
        );
        assert_eq!(
            v.check_authorization(Some(&header("zephrpass"))),
            Err(WebhookError::MalformedAuthorization(
                MalformedReason::MissingColon
            ))
        );
        assert_eq!(
            v.check_authorization(Some("Basic %%%")),
            Err(WebhookError::MalformedAuthorization(
                MalformedReason::InvalidBase64
            ))
        );
        assert_eq!(
            v.check_authorization(Some("Bearer x")),
            Err(WebhookError::MalformedAuthorization(
                MalformedReason::WrongScheme
            ))
        );
    }

    #[test]
    fn credentials_are_checked_and_never_shown() {
        assert!(WebhookCredentials::bearer("").is_err());
        assert!(WebhookCredentials::bearer("has space").is_err());
        assert!(WebhookCredentials::basic("a:b", "p").is_err());
        assert!(WebhookCredentials::basic("a", "").is_err());
        let bearer = WebhookCredentials::bearer("very-secret-token").unwrap();
        let basic = WebhookCredentials::basic("joe", "very-secret-password").unwrap();
        for shown in [
            format!("{bearer:?}"),
            format!("{basic:?}"),
            format!("{:?}", WebhookVerifier::new(basic.clone())),
        ] {
            assert!(!shown.contains("very-secret"), "{shown}");
        }
        assert!(format!("{basic:?}").contains("joe"));
        let request = test_request(&bearer, b"{}");
        assert!(!format!("{request:?}").contains("very-secret"));
        // Errors never carry the received or expected secret either.
        let v = WebhookVerifier::new(bearer);
        let e = v
            .check_authorization(Some("Bearer very-secret-tokex"))
            .unwrap_err();
        assert!(!e.to_string().contains("very-secret"));
    }

    #[test]
    fn parses_the_documented_envelope() {
        let body = br#"{"tenantId":"<tenantId>","subTenantId":"<subTenantId>","type":"CREATE_USER","time":1592181105400,
            "details":{"user_id":"ce219f64-59e2-46a5-ba5f-6dc8a0b31397","identifiers":{"email_address":"gwen@zephr.com"},
            "attributes":{"first-name":"Gwen","last-name":"Doline"},"tenantId":"<tenantId>","subTenantId":"<subTenantId>",
            "email_verified":false,"tracking_id":"e55fc897-be62-491e-93c3-ff11f7ae6274","registered":"2020-06-15T00:31:44Z",
            "registration_state":"complete"},"webhook":"<webhookLabel>"}"#;
        let event = parse_event(body).unwrap();
        assert_eq!(event.event_type, EventType::CreateUser);
        assert_eq!(event.time, 1_592_181_105_400);
        assert_eq!(event.webhook.as_deref(), Some("<webhookLabel>"));
        let user = event.user().unwrap();
        assert_eq!(user.identifiers["email_address"], "gwen@zephr.com");
        assert_eq!(user.email_verified, Some(false));
        assert_eq!(user.registration_state.as_deref(), Some("complete"));
        assert_eq!(user.extra["tenantId"], "<tenantId>");
        assert!(event.dedupe_key.starts_with("zwh_") && event.dedupe_key.len() == 36);
    }

    #[test]
    fn unknown_types_keep_their_name_and_raw_details() {
        let event = parse_event(br#"{"type":"SOMETHING_NEW","time":1,"details":[1,2]}"#).unwrap();
        assert_eq!(event.event_type, EventType::Unknown("SOMETHING_NEW".into()));
        assert_eq!(event.event_type.as_str(), "SOMETHING_NEW");
        assert_eq!(event.details, Details::Raw(json!([1, 2])));
        for known in EventType::known() {
            assert_eq!(EventType::from_name(known.as_str()), known);
        }
    }

    #[test]
    fn bodies_that_are_not_envelopes_are_refused() {
        for bad in [
            &b""[..],
            b"null",
            b"[]",
            b"\"CREATE_USER\"",
            b"{}",
            br#"{"type":"CREATE_USER"}"#,
            br#"{"type":1,"time":1}"#,
            br#"{"type":"","time":1}"#,
            br#"{"type":"X","time":"1"}"#,
            br#"{"type":"X","time":1.5}"#,
            br#"{"type":"X","time":1,"webhook":3}"#,
        ] {
            let e = parse_event(bad).unwrap_err();
            assert_eq!(
                e.code(),
                "webhook_invalid_body",
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn staleness_window_applies_both_ways() {
        let creds = WebhookCredentials::bearer("t").unwrap();
        let v = WebhookVerifier::new(creds.clone()).with_tolerance_ms(60_000);
        let auth = creds.authorization();
        assert!(
            v.verify(Some(&auth), &body("CREATE_USER", NOW - 60_000), NOW)
                .is_ok()
        );
        assert_eq!(
            v.verify(Some(&auth), &body("CREATE_USER", NOW - 60_001), NOW),
            Err(WebhookError::StaleEvent {
                age_ms: 60_001,
                tolerance_ms: 60_000
            })
        );
        assert!(matches!(
            v.verify(Some(&auth), &body("CREATE_USER", NOW + 120_000), NOW),
            Err(WebhookError::StaleEvent {
                age_ms: -120_000,
                ..
            })
        ));
        // Without a window any time is accepted.
        let open = WebhookVerifier::new(creds);
        assert!(
            open.verify(Some(&auth), &body("CREATE_USER", 0), NOW)
                .is_ok()
        );
        // Credentials are checked before the body is even read.
        assert_eq!(
            v.verify(None, b"not json", NOW),
            Err(WebhookError::MissingAuthorization)
        );
    }

    #[test]
    fn dedupe_key_is_stable_and_sensitive() {
        let a = parse_event(&body("CREATE_USER", NOW)).unwrap();
        let again = parse_event(&body("CREATE_USER", NOW)).unwrap();
        assert_eq!(a.dedupe_key, again.dedupe_key);
        // Whitespace does not matter; content does.
        let spaced = String::from_utf8(body("CREATE_USER", NOW))
            .unwrap()
            .replace(',', " , ");
        assert_eq!(
            parse_event(spaced.as_bytes()).unwrap().dedupe_key,
            a.dedupe_key
        );
        assert_ne!(
            parse_event(&body("CREATE_USER", NOW + 1))
                .unwrap()
                .dedupe_key,
            a.dedupe_key
        );
        assert_ne!(
            parse_event(&body("UPDATE_USER", NOW)).unwrap().dedupe_key,
            a.dedupe_key
        );
    }
}
