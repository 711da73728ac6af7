//! The webhook messages and the two functions both bindings expose:
//! `verifyWebhook` and `testWebhookRequest`. Every decision (constant-time
//! comparison, envelope rules, staleness, dedupe key) is the core's
//! ([`zephr_admin::webhook`]); this module only reads and writes the typed
//! messages.
//!
//! ```
//! use zephr_admin_js::webhook::{test_webhook_request, verify_webhook};
//! use serde_json::Value;
//!
//! let options = r#"{"bearer":"whk-token","toleranceMs":60000}"#;
//! let delivery: Value = serde_json::from_str(&test_webhook_request(
//!     options, r#"{"type":"CREATE_USER","time":1700000000000,"details":{"user_id":"u-1"}}"#, "POST",
//! )).unwrap();
//! let body = delivery["ok"]["body"].as_str().unwrap();
//! let auth = delivery["ok"]["headers"]["authorization"].as_str();
//! let event: Value = serde_json::from_str(&verify_webhook(options, auth, body.as_bytes(), 1.7e12)).unwrap();
//! assert_eq!(event["ok"]["type"], "CREATE_USER");
//! assert_eq!(event["ok"]["details"]["user_id"], "u-1");
//! ```

use serde::{Deserialize, Serialize};
use serde_json::Value;
use zephr_admin::webhook::{
    EventType, TestEvent, WebhookCredentials, WebhookError, WebhookEvent, WebhookVerifier,
};
use zeroize::Zeroizing;

use crate::messages::{Headers, to_text};
use crate::ts::Ts;

/// A refused delivery (or unusable options) as plain data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Ts)]
#[serde(rename_all = "camelCase")]
pub struct WebhookErrorData {
    /// The stable snake_case code.
    #[ts(type = "WebhookErrorCode")]
    pub code: &'static str,
    /// A human-readable message; never holds a credential.
    pub message: String,
    /// For `webhook_malformed_authorization`: what was wrong with the header.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(type = "MalformedReason")]
    pub reason: Option<&'static str>,
    /// For `webhook_stale_event`: now minus the event's time, in ms.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub age_ms: Option<i64>,
    /// For `webhook_stale_event`: the window, in ms.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tolerance_ms: Option<u64>,
}

impl From<&WebhookError> for WebhookErrorData {
    fn from(error: &WebhookError) -> Self {
        let mut data = WebhookErrorData {
            code: error.code(),
            message: error.to_string(),
            reason: None,
            age_ms: None,
            tolerance_ms: None,
        };
        match error {
            WebhookError::MalformedAuthorization(reason) => data.reason = Some(reason.as_str()),
            WebhookError::StaleEvent {
                age_ms,
                tolerance_ms,
            } => {
                data.age_ms = Some(*age_ms);
                data.tolerance_ms = Some(*tolerance_ms);
            }
            _ => {}
        }
        data
    }
}

/// A webhook answer: the value, or the webhook error.
#[derive(Debug, Serialize, Ts)]
#[serde(rename_all = "lowercase")]
pub enum WebhookAnswer<T> {
    /// The value.
    Ok(T),
    /// The error.
    Err(WebhookErrorData),
}

impl<T: Serialize> WebhookAnswer<T> {
    fn of(result: Result<T, WebhookError>) -> String {
        to_text(&match result {
            Ok(value) => WebhookAnswer::Ok(value),
            Err(e) => WebhookAnswer::Err((&e).into()),
        })
    }
}

/// The event types whose `details` is a user record (the documented shape of
/// `CREATE_USER`; the other user events are assumed to share it).
pub const USER_EVENT_TYPES: &[EventType] = &[
    EventType::CreateUser,
    EventType::DeleteUser,
    EventType::UpdateUser,
    EventType::UpdateUserEmail,
    EventType::EmailVerified,
];

/// A verified event: the envelope's own member names plus `rawType` and
/// `dedupeKey`.
#[derive(Debug, Clone, PartialEq, Serialize, Ts)]
#[serde(rename_all = "camelCase")]
pub struct WebhookEventData {
    /// The type, `"UNKNOWN"` for a name this SDK does not know (so a
    /// discriminated union narrows).
    #[serde(rename = "type")]
    #[ts(type = "WebhookEventType | \"UNKNOWN\"")]
    pub event_type: String,
    /// The type name as received (equal to `type` for known types).
    pub raw_type: String,
    /// `time`: ms since the epoch.
    pub time: i64,
    /// The tenant.
    pub tenant_id: Option<String>,
    /// The sub-tenant.
    pub sub_tenant_id: Option<String>,
    /// The label of the webhook that fired.
    pub webhook: Option<String>,
    /// `details` exactly as received.
    pub details: Value,
    /// Equal for two deliveries of the same event: store it and skip repeats.
    pub dedupe_key: String,
}

impl From<&WebhookEvent> for WebhookEventData {
    fn from(event: &WebhookEvent) -> Self {
        let raw_type = event.event_type.as_str().to_owned();
        WebhookEventData {
            event_type: match event.event_type {
                EventType::Unknown(_) => "UNKNOWN".to_owned(),
                _ => raw_type.clone(),
            },
            raw_type,
            time: event.time,
            tenant_id: event.tenant_id.clone(),
            sub_tenant_id: event.sub_tenant_id.clone(),
            webhook: event.webhook.clone(),
            details: event.raw_details.clone(),
            dedupe_key: event.dedupe_key.clone(),
        }
    }
}

/// HTTP Basic credentials.
#[derive(Debug, PartialEq, Deserialize, Ts)]
#[serde(deny_unknown_fields)]
pub struct BasicCredentials {
    /// The user name.
    pub username: Zeroizing<String>,
    /// The password.
    pub password: Zeroizing<String>,
}

/// The credentials a webhook target was configured with (exactly one of
/// `bearer` and `basic`) and the staleness window.
#[derive(Debug, Default, PartialEq, Deserialize, Ts)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct WebhookSettings {
    /// A Bearer token.
    pub bearer: Option<Zeroizing<String>>,
    /// A user name and password.
    pub basic: Option<BasicCredentials>,
    /// Refuse events whose `time` is further than this from now (ms).
    pub tolerance_ms: Option<f64>,
}

impl WebhookSettings {
    /// The settings from JSON text. Read from a `Value` by hand: calling the
    /// derived `Deserialize` would add its code to the wasm module (~1.4 KB
    /// gzipped, against a size budget with less to spare); the tests check
    /// that both read the same texts alike. No value reaches an error: the
    /// token may be in any of them.
    fn from_json(text: &str) -> Result<Self, WebhookError> {
        let shape = || {
            WebhookError::InvalidConfig(
                "expected { bearer: string } or { basic: { username: string, password: string } }, \
                 and an optional toleranceMs"
                    .to_owned(),
            )
        };
        let secret = |value: Option<Value>| match value {
            Some(Value::String(s)) => Ok(Zeroizing::new(s)),
            _ => Err(shape()),
        };
        let Ok(Value::Object(mut map)) = serde_json::from_str::<Value>(text) else {
            return Err(shape());
        };
        let mut take = |name: &str| map.remove(name).filter(|v| !v.is_null());
        let (bearer, basic, tolerance) = (take("bearer"), take("basic"), take("toleranceMs"));
        let settings = WebhookSettings {
            bearer: bearer.map(|token| secret(Some(token))).transpose()?,
            basic: match basic {
                None => None,
                Some(Value::Object(mut pair)) => {
                    let basic = BasicCredentials {
                        username: secret(pair.remove("username"))?,
                        password: secret(pair.remove("password"))?,
                    };
                    if !pair.is_empty() {
                        return Err(shape());
                    }
                    Some(basic)
                }
                Some(_) => return Err(shape()),
            },
            tolerance_ms: match tolerance {
                None => None,
                Some(value) => Some(value.as_f64().ok_or_else(shape)?),
            },
        };
        if map.is_empty() {
            Ok(settings)
        } else {
            Err(shape())
        }
    }
}

/// The credentials and window the settings in JSON text describe.
fn settings(options: &str) -> Result<(WebhookCredentials, Option<u64>), WebhookError> {
    let invalid = |why: &str| WebhookError::InvalidConfig(why.to_owned());
    let settings = WebhookSettings::from_json(options)?;
    let credentials = match (settings.bearer, settings.basic) {
        (Some(token), None) => WebhookCredentials::bearer(token.as_str())?,
        (None, Some(pair)) => {
            WebhookCredentials::basic(pair.username.as_str(), pair.password.as_str())?
        }
        _ => return Err(invalid("give exactly one of bearer and basic")),
    };
    let tolerance = match settings.tolerance_ms {
        None => None,
        Some(ms) if (0.0..=9.0e15).contains(&ms) => Some(ms as u64),
        Some(_) => {
            return Err(invalid(
                "toleranceMs must be a non-negative number of milliseconds",
            ));
        }
    };
    Ok((credentials, tolerance))
}

/// An event to build a test delivery of; the envelope's other members
/// default to `"test"`.
#[derive(Debug, PartialEq, Deserialize, Ts)]
#[serde(rename_all = "camelCase")]
pub struct TestEventData {
    /// The type name.
    #[serde(rename = "type")]
    pub event_type: String,
    /// ms since the epoch.
    pub time: i64,
    /// `details`.
    #[serde(default)]
    pub details: Option<Value>,
    /// The tenant.
    #[serde(default)]
    pub tenant_id: Option<String>,
    /// The sub-tenant.
    #[serde(default)]
    pub sub_tenant_id: Option<String>,
    /// The webhook label.
    #[serde(default)]
    pub webhook: Option<String>,
}

impl TestEventData {
    /// The event from JSON text, read from a `Value` by hand like the
    /// settings (see [`WebhookSettings::from_json`]); the tests check it
    /// agrees with the derived `Deserialize`.
    fn from_json(text: &str) -> Result<Self, WebhookError> {
        let invalid = || {
            WebhookError::InvalidBody(
                "the test event must be { type: string, time: integer ms, details?, tenantId?, \
                 subTenantId?, webhook? }"
                    .into(),
            )
        };
        let Ok(Value::Object(mut map)) = serde_json::from_str::<Value>(text) else {
            return Err(invalid());
        };
        let mut text = |name: &str| match map.remove(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(invalid()),
        };
        let (event_type, tenant_id, sub_tenant_id, webhook) = (
            text("type")?.ok_or_else(invalid)?,
            text("tenantId")?,
            text("subTenantId")?,
            text("webhook")?,
        );
        Ok(TestEventData {
            event_type,
            time: map
                .get("time")
                .and_then(Value::as_i64)
                .ok_or_else(invalid)?,
            details: map.remove("details").filter(|v| !v.is_null()),
            tenant_id,
            sub_tenant_id,
            webhook,
        })
    }
}

/// A delivery as Zephr sends it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Ts)]
pub struct TestDeliveryData {
    /// The HTTP method.
    pub method: String,
    /// Every header, `authorization` included.
    pub headers: Headers,
    /// The body text.
    pub body: String,
}

/// `verifyWebhook`: [`WebhookAnswer`] of [`WebhookEventData`] as JSON text.
/// `options` is [`WebhookSettings`] as JSON text, `authorization` `None` when
/// the header is absent, `now_ms` the host's clock.
pub fn verify_webhook(
    options: &str,
    authorization: Option<&str>,
    body: &[u8],
    now_ms: f64,
) -> String {
    WebhookAnswer::of((|| {
        let (credentials, tolerance) = settings(options)?;
        let mut verifier = WebhookVerifier::new(credentials);
        if let Some(ms) = tolerance {
            verifier = verifier.with_tolerance_ms(ms);
        }
        let now = if now_ms.is_finite() { now_ms as i64 } else { 0 };
        Ok(WebhookEventData::from(&verifier.verify(
            authorization,
            body,
            now,
        )?))
    })())
}

/// `testWebhookRequest`: [`WebhookAnswer`] of [`TestDeliveryData`] as JSON
/// text, for an event ([`TestEventData`] as JSON text), the same options as
/// [`verify_webhook`] and a method.
pub fn test_webhook_request(options: &str, event: &str, method: &str) -> String {
    WebhookAnswer::of((|| {
        let (credentials, _) = settings(options)?;
        let event = TestEventData::from_json(event)?;
        let method = method.to_ascii_uppercase();
        if !matches!(method.as_str(), "GET" | "POST" | "PUT" | "DELETE") {
            return Err(WebhookError::InvalidConfig(
                "the method must be GET, POST, PUT or DELETE".into(),
            ));
        }
        let details = event.details.unwrap_or(Value::Null);
        let mut test = TestEvent::new(EventType::from_name(&event.event_type), event.time, details);
        // Members the event leaves out keep `TestEvent::new`'s `test`.
        for (slot, value) in [
            (&mut test.tenant_id, event.tenant_id),
            (&mut test.sub_tenant_id, event.sub_tenant_id),
            (&mut test.webhook, event.webhook),
        ] {
            if let Some(value) = value {
                *slot = value;
            }
        }
        let request = test.request(&method, Some(&credentials));
        Ok(TestDeliveryData {
            method: request.method.clone(),
            headers: Headers(request.headers.clone()),
            body: String::from_utf8_lossy(&request.body).into_owned(),
        })
    })())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use serde_json::json;
    use zephr_admin::webhook::parse_event;

    use super::*;

    const BASIC: &str = r#"{"basic":{"username":"u","password":"p"}}"#;

    fn parse(text: &str) -> Value {
        serde_json::from_str(text).unwrap()
    }

    #[test]
    fn a_test_delivery_verifies_and_a_stale_one_does_not() {
        let request = parse(&test_webhook_request(
            BASIC,
            r#"{"type":"GRANT","time":5,"details":{"x":1}}"#,
            "put",
        ));
        let ok = &request["ok"];
        assert_eq!(ok["method"], "PUT");
        let auth = ok["headers"]["authorization"].as_str().unwrap();
        let body = ok["body"].as_str().unwrap().as_bytes();
        let verified = parse(&verify_webhook(BASIC, Some(auth), body, 5.0));
        assert_eq!(verified["ok"]["type"], "GRANT");
        assert_eq!(verified["ok"]["tenantId"], "test");
        assert_eq!(verified["ok"]["details"]["x"], 1);
        let windowed = r#"{"basic":{"username":"u","password":"p"},"toleranceMs":1}"#;
        let stale = parse(&verify_webhook(windowed, Some(auth), body, 10.0));
        assert_eq!(
            stale["err"],
            json!({"code": "webhook_stale_event", "message": stale["err"]["message"],
                   "ageMs": 5, "toleranceMs": 1})
        );
        let malformed = parse(&verify_webhook(BASIC, Some("Bearer x"), body, 5.0));
        assert_eq!(malformed["err"]["reason"], "wrong_scheme");
    }

    #[test]
    fn bad_options_and_events_are_typed_errors_without_secrets() {
        for options in [
            r#"{"bearer":"secret-xyz","extra":"secret-xyz"}"#,
            r#"{"bearer":"secret-xyz","basic":{"username":"u","password":"secret-xyz"}}"#,
            r#"{"basic":{"username":"u","password":"secret-xyz","x":1}}"#,
            r#"{"bearer":["secret-xyz"]}"#,
            r#"{"bearer":"secret-xyz","toleranceMs":-1}"#,
            r#""secret-xyz""#,
            "{}",
        ] {
            let answer = verify_webhook(options, None, b"{}", 0.0);
            let err = &parse(&answer)["err"];
            assert_eq!(err["code"], "webhook_invalid_config", "{options}");
            assert!(!answer.contains("secret-xyz"), "{answer}");
        }
        for event in [r#"{"time":1}"#, r#"{"type":"X","time":1.5}"#, "[]"] {
            let answer = parse(&test_webhook_request(r#"{"bearer":"t"}"#, event, "POST"));
            assert_eq!(answer["err"]["code"], "webhook_invalid_body", "{event}");
        }
    }

    #[test]
    fn the_hand_readers_agree_with_the_derived_deserialize() {
        // The declarations come from the types' serde attributes: the hand readers must
        // accept and refuse exactly what those attributes say.
        for text in [
            r#"{"bearer":"t"}"#,
            r#"{"bearer":"t","basic":null,"toleranceMs":5}"#,
            r#"{"basic":{"username":"u","password":"p"},"toleranceMs":1.5}"#,
            r#"{"basic":{"username":"u"}}"#,
            r#"{"basic":{"username":"u","password":"p","x":1}}"#,
            r#"{"basic":"u:p"}"#,
            r#"{"bearer":1}"#,
            r#"{"bearer":"t","toleranceMs":"5"}"#,
            r#"{"bearer":"t","other":1}"#,
            "{}",
            "null",
            "{",
        ] {
            // (Serde would also read a struct from an array of its fields; the host sends
            // objects, and the hand reader refuses arrays.)
            let derived = serde_json::from_str::<WebhookSettings>(text).ok();
            assert_eq!(WebhookSettings::from_json(text).ok(), derived, "{text}");
        }
        for text in [
            r#"{"type":"GRANT","time":5}"#,
            r#"{"type":"GRANT","time":5,"details":{"a":1},"tenantId":"t","subTenantId":null,"webhook":"w","x":1}"#,
            r#"{"type":"GRANT","time":5,"details":null}"#,
            r#"{"type":"GRANT","time":1.5}"#,
            r#"{"type":"GRANT","time":"5"}"#,
            r#"{"type":3,"time":5}"#,
            r#"{"time":5}"#,
            r#"{"type":"GRANT"}"#,
            r#"{"type":"GRANT","time":5,"webhook":1}"#,
            "[]",
        ] {
            let derived = serde_json::from_str::<TestEventData>(text).ok();
            assert_eq!(TestEventData::from_json(text).ok(), derived, "{text}");
        }
    }

    #[test]
    fn unknown_types_read_unknown_and_keep_their_name() {
        let event = parse_event(br#"{"type":"SOMETHING_NEW","time":1,"details":[1,2]}"#).unwrap();
        let data = serde_json::to_value(WebhookEventData::from(&event)).unwrap();
        assert_eq!(data["type"], "UNKNOWN");
        assert_eq!(data["rawType"], "SOMETHING_NEW");
        assert_eq!(data["details"], json!([1, 2]));
        assert_eq!(data["webhook"], Value::Null);
    }

    #[test]
    fn user_event_types_are_those_with_user_details() {
        // The TypeScript union of user events must match what the core parses as a user record.
        for event_type in EventType::known() {
            let body = json!({"type": event_type.as_str(), "time": 1, "details": {"user_id": "u"}});
            let event = parse_event(body.to_string().as_bytes()).unwrap();
            assert_eq!(
                event.user().is_some(),
                USER_EVENT_TYPES.contains(&event_type),
                "{event_type}"
            );
        }
    }
}
