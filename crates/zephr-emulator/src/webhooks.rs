//! Webhooks: the `/v3/webhooks` operations keep real state, and every webhook
//! is called when the emulator's own state changes (users, grants, sessions,
//! account membership).
//!
//! A delivery is a JSON envelope `{tenantId, subTenantId, type, time, details,
//! webhook}` sent with the webhook's method (GET, POST, PUT or DELETE, default
//! POST) and, when the webhook has credentials, their `Authorization` header.
//! The body is built by the core's testing kit
//! ([`zephr_admin::webhook::TestEvent`]), so the SDK's receivers and the
//! emulator agree on one format.
//!
//! Retry policy: an attempt fails on a connection error, no answer within
//! [`ATTEMPT_TIMEOUT`], or a status outside 200-299. A failed delivery is
//! retried after each delay of [`DeliveryConfig::retry_delays_ms`] in turn
//! (default 0.5 s, 2 s, 8 s: four attempts in all), then marked `failed`.
//! Deliveries run in the background, one task each, in event order per call.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use serde::Serialize;
use serde_json::{Map, Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use zephr_admin::webhook::{EventType, TestEvent, WebhookCredentials, WebhookRequest};

use crate::reply::Reply;
use crate::state::TENANT;
use crate::util::Rng;

/// How long one delivery attempt may take, connection to status line.
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(5);

/// How deliveries are retried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryConfig {
    /// The delay before each retry, in milliseconds; its length is the
    /// number of retries (default `[500, 2000, 8000]`).
    pub retry_delays_ms: Vec<u64>,
}

impl Default for DeliveryConfig {
    fn default() -> Self {
        DeliveryConfig {
            retry_delays_ms: vec![500, 2000, 8000],
        }
    }
}

/// A fault applied to the next deliveries, for testing receivers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DeliveryFault {
    /// The attempt is not sent and counts as a connection error (so it is retried).
    Drop,
    /// The delivery is sent twice, the same envelope both times (a redelivery).
    Duplicate,
    /// The delivery carries credentials of the webhook's kind but not its values.
    WrongCredentials,
    /// The delivery carries no `Authorization` header.
    NoCredentials,
    /// The envelope's `time` lies this many milliseconds in the past.
    Stale(u64),
}

impl DeliveryFault {
    /// Parses `drop`, `duplicate`, `wrong_credentials`, `no_credentials`, `stale=MS`.
    pub fn parse(text: &str) -> Option<DeliveryFault> {
        match text.trim() {
            "drop" => Some(DeliveryFault::Drop),
            "duplicate" => Some(DeliveryFault::Duplicate),
            "wrong_credentials" => Some(DeliveryFault::WrongCredentials),
            "no_credentials" => Some(DeliveryFault::NoCredentials),
            other => other
                .strip_prefix("stale=")
                .and_then(|ms| ms.parse().ok())
                .map(DeliveryFault::Stale),
        }
    }
}

/// One attempt of a delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Attempt {
    /// The status answered, if any.
    pub status: Option<u16>,
    /// Why the attempt failed without a status (connection refused, timeout, dropped).
    pub error: Option<String>,
}

/// One event sent (or being sent) to one webhook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Delivery {
    /// `dlv-1`, `dlv-2`, ... in event order.
    pub id: String,
    /// The webhook's id.
    pub webhook_id: String,
    /// The event type name (`CREATE_USER`, ...).
    pub event_type: String,
    /// The target URL.
    pub target: String,
    /// The HTTP method used.
    pub method: String,
    /// The envelope sent, as JSON text.
    pub body: String,
    /// `pending`, `delivered` or `failed`.
    pub state: &'static str,
    /// Every attempt so far.
    pub attempts: Vec<Attempt>,
}

#[derive(Debug, Clone)]
struct Webhook {
    id: String,
    fields: Map<String, Value>,
    credentials: Option<WebhookCredentials>,
}

impl Webhook {
    /// As listed: the stored fields, with the credentials' kind but never their secret.
    fn json(&self) -> Value {
        let mut map = self.fields.clone();
        map.insert("webhook_id".into(), json!(self.id));
        if let Some(credentials) = &self.credentials {
            map.insert("credentials".into(), json!({"type": credentials.kind()}));
        }
        Value::Object(map)
    }

    fn text(&self, key: &str) -> &str {
        self.fields.get(key).and_then(Value::as_str).unwrap_or("")
    }

    /// Triggers are event type names; an empty list or `"*"` takes every event.
    fn wants(&self, event: &EventType) -> bool {
        let triggers: Vec<&str> = self
            .fields
            .get("triggers")
            .and_then(Value::as_array)
            .map(|t| t.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        triggers.is_empty() || triggers.iter().any(|t| *t == "*" || *t == event.as_str())
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Webhooks, their deliveries and the queued delivery faults.
#[derive(Debug)]
pub(crate) struct Hub {
    webhooks: Mutex<Vec<Webhook>>,
    deliveries: Arc<Mutex<Vec<Delivery>>>,
    faults: Mutex<VecDeque<DeliveryFault>>,
    config: DeliveryConfig,
    rng: Mutex<Rng>,
}

impl Hub {
    pub fn new(config: DeliveryConfig) -> Self {
        Hub {
            webhooks: Mutex::new(Vec::new()),
            deliveries: Arc::new(Mutex::new(Vec::new())),
            faults: Mutex::new(VecDeque::new()),
            config,
            rng: Mutex::new(Rng::from_entropy()),
        }
    }

    /// Every delivery so far, oldest first.
    pub fn deliveries(&self) -> Vec<Delivery> {
        lock(&self.deliveries).clone()
    }

    /// Applies `fault` to the next `times` deliveries.
    pub fn inject(&self, fault: DeliveryFault, times: usize) {
        lock(&self.faults).extend(std::iter::repeat_n(fault, times));
    }

    /// The answer of a `/v3/webhooks` operation, or `None` for any other.
    pub fn handle(&self, op: &str, id: &str, body: Option<&Value>, status: u16) -> Option<Reply> {
        let mut webhooks = lock(&self.webhooks);
        let position = webhooks.iter().position(|w| w.id == id);
        let missing = || Reply::not_found(format!("no webhook with id '{id}'"));
        let reply = match op {
            "listWebhooks" => {
                let results: Vec<Value> = webhooks.iter().map(Webhook::json).collect();
                Reply::json(200, &json!({ "results": results }))
            }
            "getWebhook" => match position.and_then(|i| webhooks.get(i)) {
                Some(webhook) => Reply::json(200, &webhook.json()),
                None => missing(),
            },
            "deleteWebhook" => match position {
                Some(i) => {
                    webhooks.remove(i);
                    Reply::empty(status)
                }
                None => missing(),
            },
            "createWebhook" | "updateWebhook" => {
                let existing = position.and_then(|i| webhooks.get(i));
                if op == "updateWebhook" && existing.is_none() {
                    return Some(missing());
                }
                let new_id = match existing {
                    Some(webhook) => webhook.id.clone(),
                    None => format!("wh-{:012x}", lock(&self.rng).next_u64() & 0xffff_ffff_ffff),
                };
                let webhook = match parse_webhook(new_id, body) {
                    Ok(webhook) => webhook,
                    Err(reply) => return Some(reply),
                };
                let answer = webhook.json();
                match position {
                    Some(i) if op == "updateWebhook" => {
                        if let Some(slot) = webhooks.get_mut(i) {
                            *slot = webhook;
                        }
                    }
                    _ => webhooks.push(webhook),
                }
                Reply::json(status, &answer)
            }
            _ => return None,
        };
        Some(reply)
    }

    /// Sends `events` to every webhook that wants them (in the background).
    pub fn publish(&self, events: Vec<(EventType, Value)>, now_ms: u64) {
        if events.is_empty() {
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let webhooks = lock(&self.webhooks).clone();
        let mut jobs = Vec::new();
        for (event_type, details) in events {
            for webhook in webhooks.iter().filter(|w| w.wants(&event_type)) {
                let fault = lock(&self.faults).pop_front();
                let time = i64::try_from(now_ms).unwrap_or(i64::MAX);
                let time = match fault {
                    Some(DeliveryFault::Stale(ms)) => {
                        time.saturating_sub(i64::try_from(ms).unwrap_or(i64::MAX))
                    }
                    _ => time,
                };
                let event = TestEvent::new(event_type.clone(), time, details.clone())
                    .with_tenant(TENANT, TENANT)
                    .with_webhook(webhook.text("label"));
                let method = match webhook.text("method").to_ascii_uppercase().as_str() {
                    m @ ("GET" | "PUT" | "DELETE") => m.to_owned(),
                    _ => "POST".to_owned(),
                };
                // Same kind as the webhook's, so the receiver sees wrong values, not a wrong scheme.
                let wrong = match &webhook.credentials {
                    Some(WebhookCredentials::Basic { username, .. }) => {
                        WebhookCredentials::basic(username.as_str(), "not-the-configured-password")
                    }
                    _ => WebhookCredentials::bearer("not-the-configured-token"),
                }
                .ok();
                let credentials = match fault {
                    Some(DeliveryFault::WrongCredentials) => wrong.as_ref(),
                    Some(DeliveryFault::NoCredentials) => None,
                    _ => webhook.credentials.as_ref(),
                };
                let request = event.request(&method, credentials);
                let copies = if fault == Some(DeliveryFault::Duplicate) {
                    2
                } else {
                    1
                };
                for _ in 0..copies {
                    let mut log = lock(&self.deliveries);
                    let index = log.len();
                    log.push(Delivery {
                        id: format!("dlv-{}", index + 1),
                        webhook_id: webhook.id.clone(),
                        event_type: event_type.as_str().to_owned(),
                        target: webhook.text("target").to_owned(),
                        method: method.clone(),
                        body: String::from_utf8_lossy(&request.body).into_owned(),
                        state: "pending",
                        attempts: Vec::new(),
                    });
                    jobs.push((
                        index,
                        webhook.text("target").to_owned(),
                        request.clone(),
                        fault,
                    ));
                }
            }
        }
        let log = Arc::clone(&self.deliveries);
        let delays = self.config.retry_delays_ms.clone();
        // One task per publish: deliveries of one state change go out in order.
        runtime.spawn(async move {
            for (index, target, request, fault) in jobs {
                deliver(&log, index, &target, &request, fault, &delays).await;
            }
        });
    }
}

/// Runs the attempts of one delivery and records them.
async fn deliver(
    log: &Mutex<Vec<Delivery>>,
    index: usize,
    target: &str,
    request: &WebhookRequest,
    fault: Option<DeliveryFault>,
    delays: &[u64],
) {
    let mut waits = delays.iter();
    let mut first = true;
    loop {
        let attempt = if first && fault == Some(DeliveryFault::Drop) {
            Attempt {
                status: None,
                error: Some("dropped (injected fault)".into()),
            }
        } else {
            match tokio::time::timeout(ATTEMPT_TIMEOUT, send(target, request)).await {
                Ok(Ok(status)) => Attempt {
                    status: Some(status),
                    error: None,
                },
                Ok(Err(error)) => Attempt {
                    status: None,
                    error: Some(error),
                },
                Err(_) => Attempt {
                    status: None,
                    error: Some("no answer in time".into()),
                },
            }
        };
        first = false;
        let delivered = attempt.status.is_some_and(|s| (200..300).contains(&s));
        let next = if delivered { None } else { waits.next() };
        if let Some(entry) = lock(log).get_mut(index) {
            entry.attempts.push(attempt);
            entry.state = match (delivered, next) {
                (true, _) => "delivered",
                (false, Some(_)) => "pending",
                (false, None) => "failed",
            };
        }
        match next {
            Some(ms) => tokio::time::sleep(Duration::from_millis(*ms)).await,
            None => return,
        }
    }
}

/// One HTTP/1.1 request to an `http://` target; the answer's status.
async fn send(target: &str, request: &WebhookRequest) -> Result<u16, String> {
    let rest = target
        .strip_prefix("http://")
        .ok_or("the emulator delivers to http:// targets only")?;
    let (authority, path) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, "/"),
    };
    let address = if authority.contains(':') {
        authority.to_owned()
    } else {
        format!("{authority}:80")
    };
    let mut stream = TcpStream::connect(&address)
        .await
        .map_err(|e| format!("cannot connect to {address}: {e}"))?;
    let mut head = format!(
        "{} {path} HTTP/1.1\r\nhost: {authority}\r\nuser-agent: zephr-emulator\r\ncontent-length: {}\r\nconnection: close\r\n",
        request.method,
        request.body.len()
    );
    for (name, value) in &request.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(&request.body);
    stream
        .write_all(&bytes)
        .await
        .map_err(|e| format!("write failed: {e}"))?;
    let mut answer = Vec::new();
    let mut buffer = [0u8; 1024];
    while !answer.windows(2).any(|w| w == b"\r\n") && answer.len() < 8192 {
        let n = stream
            .read(&mut buffer)
            .await
            .map_err(|e| format!("read failed: {e}"))?;
        if n == 0 {
            break;
        }
        answer.extend_from_slice(buffer.get(..n).unwrap_or_default());
    }
    let line = String::from_utf8_lossy(&answer);
    line.split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| "the answer has no HTTP status line".into())
}

/// A webhook from a create or update body: `label`, `triggers`, `method`,
/// `target` as documented, plus the emulator's `credentials` member
/// (`{"type": "bearer", "token"}` or `{"type": "basic", "username", "password"}`).
fn parse_webhook(id: String, body: Option<&Value>) -> Result<Webhook, Reply> {
    let Some(Value::Object(body)) = body else {
        return Err(Reply::bad_request("the request body must be a JSON object"));
    };
    let mut fields = body.clone();
    fields.remove("webhook_id");
    let target = fields.get("target").and_then(Value::as_str).unwrap_or("");
    if !target.starts_with("http://") && !target.starts_with("https://") {
        return Err(Reply::bad_request(
            "a webhook needs an http(s) 'target' URL",
        ));
    }
    if let Some(method) = fields.get("method") {
        let ok = method.as_str().is_some_and(|m| {
            matches!(
                m.to_ascii_uppercase().as_str(),
                "GET" | "POST" | "PUT" | "DELETE"
            )
        });
        if !ok {
            return Err(Reply::bad_request(
                "'method' must be GET, POST, PUT or DELETE",
            ));
        }
    }
    if fields.get("triggers").is_some_and(|t| !t.is_array()) {
        return Err(Reply::bad_request(
            "'triggers' must be an array of event types",
        ));
    }
    let credentials = match fields.remove("credentials") {
        None | Some(Value::Null) => None,
        Some(c) => {
            let text = |key: &str| c.get(key).and_then(Value::as_str).unwrap_or("").to_owned();
            let parsed = match c.get("type").and_then(Value::as_str) {
                Some("bearer") => WebhookCredentials::bearer(text("token")),
                Some("basic") => WebhookCredentials::basic(text("username"), text("password")),
                _ => {
                    return Err(Reply::bad_request(
                        "'credentials' must be {\"type\": \"bearer\", \"token\"} or {\"type\": \"basic\", \"username\", \"password\"}",
                    ));
                }
            };
            Some(parsed.map_err(|e| Reply::bad_request(e.to_string()))?)
        }
    };
    Ok(Webhook {
        id,
        fields,
        credentials,
    })
}

/// The events one successful operation raises, with their `details`.
/// `params` are the path parameters, `answer` the reply body, `before` the
/// user record as it was before the call (for deletes).
pub(crate) fn events_for(
    op: &str,
    params: &[(&'static str, String)],
    request: Option<&Value>,
    answer: &[u8],
    user_after: Option<Value>,
    user_before: Option<Value>,
) -> Vec<(EventType, Value)> {
    let param = |name: &str| {
        params
            .iter()
            .find(|(n, _)| *n == name)
            .map_or(Value::Null, |(_, v)| json!(v))
    };
    let answer: Value = serde_json::from_slice(answer).unwrap_or(Value::Null);
    let data = answer
        .get("data")
        .cloned()
        .unwrap_or_else(|| answer.clone());
    let with = |mut base: Value, extra: &[(&str, Value)]| {
        if let Value::Object(map) = &mut base {
            for (k, v) in extra {
                map.entry(k.to_string()).or_insert_with(|| v.clone());
            }
        }
        base
    };
    let event = match op {
        "createUser" => (EventType::CreateUser, data),
        "updateUserAttribute" | "replaceUserAttributes" => (
            EventType::UpdateUser,
            user_after.unwrap_or_else(|| json!({"user_id": param("user_id")})),
        ),
        "deleteUser" => (
            EventType::DeleteUser,
            user_before.unwrap_or_else(|| json!({"user_id": param("user_id")})),
        ),
        "createGrants" | "createGrant" => (
            EventType::Grant,
            with(data, &[("user_id", param("userId"))]),
        ),
        "createAccountGrant" | "createAccountGrantV4" => (
            EventType::Grant,
            with(data, &[("account_id", param("accountId"))]),
        ),
        "deleteUserGrant" => (
            EventType::GrantEnded,
            json!({"user_id": param("userId"), "grant_id": param("grantId")}),
        ),
        "deleteAccountGrantById" | "deleteAccountGrant" => (
            EventType::GrantEnded,
            json!({"account_id": param("accountId"), "grant_id": param("grantId")}),
        ),
        "createNewSession"
        | "createNewSessionUnderGivenSite"
        | "createAnonymousSessionUnderGivenSite" => {
            let mut details = if data.is_object() { data } else { json!({}) };
            if let (Value::Object(map), Some(identifiers)) =
                (&mut details, request.and_then(|b| b.get("identifiers")))
            {
                map.entry("identifiers")
                    .or_insert_with(|| identifiers.clone());
            }
            (
                EventType::CreateSession,
                with(details, &[("site", param("site"))]),
            )
        }
        "saveAccountUser" => (
            EventType::AddToAccount,
            json!({"account_id": param("account_id"), "user_id": param("user_id")}),
        ),
        "deleteAccountUser" => (
            EventType::RemoveFromAccount,
            json!({"account_id": param("account_id"), "user_id": param("user_id")}),
        ),
        _ => return Vec::new(),
    };
    vec![event]
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;

    #[test]
    fn faults_parse() {
        assert_eq!(
            DeliveryFault::parse("stale=600000"),
            Some(DeliveryFault::Stale(600_000))
        );
        assert_eq!(
            DeliveryFault::parse("duplicate"),
            Some(DeliveryFault::Duplicate)
        );
        assert_eq!(DeliveryFault::parse("stale=x"), None);
    }

    #[test]
    fn webhooks_never_list_their_secret() {
        let hub = Hub::new(DeliveryConfig::default());
        let body = json!({"label": "crm", "triggers": ["CREATE_USER"], "method": "PUT",
            "target": "http://127.0.0.1:9/hook", "credentials": {"type": "bearer", "token": "tok-secret"}});
        let created = hub.handle("createWebhook", "", Some(&body), 201).unwrap();
        assert_eq!(created.status, 201);
        let listed = hub.handle("listWebhooks", "", None, 200).unwrap();
        let text = String::from_utf8(listed.body).unwrap();
        assert!(
            text.contains("\"bearer\"") && !text.contains("tok-secret"),
            "{text}"
        );
        let bad = json!({"target": "ftp://x", "label": "x"});
        assert_eq!(
            hub.handle("createWebhook", "", Some(&bad), 201)
                .unwrap()
                .status,
            400
        );
    }

    #[test]
    fn triggers_select_events() {
        let hub = Hub::new(DeliveryConfig::default());
        let body = json!({"label": "l", "triggers": ["GRANT"], "target": "http://127.0.0.1:9/"});
        let webhook = parse_webhook("w".into(), Some(&body)).unwrap();
        assert!(webhook.wants(&EventType::Grant));
        assert!(!webhook.wants(&EventType::CreateUser));
        let all = parse_webhook(
            "w".into(),
            Some(&json!({"target": "http://x/", "triggers": []})),
        )
        .unwrap();
        assert!(all.wants(&EventType::CreateUser));
        drop(hub);
    }
}
