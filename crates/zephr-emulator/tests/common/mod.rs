//! Shared by the emulator's tests: a running emulator, a blocking HTTP client
//! and an independent signer (plain `sha2`, not the SDK's).

#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::too_many_arguments
)]

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use serde_json::Value;
use sha2::{Digest, Sha256};
use zephr_emulator::{BackgroundEmulator, Config, DEMO_ACCESS_KEY, DEMO_SECRET_KEY};

/// What came back.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn json(&self) -> Value {
        if self.body.is_empty() {
            return Value::Null;
        }
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The `check` of a 401 body.
    pub fn check(&self) -> String {
        assert_eq!(self.status, 401, "{}", String::from_utf8_lossy(&self.body));
        self.json()["check"].as_str().unwrap().to_owned()
    }
}

pub struct Emu {
    pub server: BackgroundEmulator,
    agent: ureq::Agent,
}

pub fn start() -> Emu {
    start_with(Config::default())
}

pub fn start_with(config: Config) -> Emu {
    let server = BackgroundEmulator::spawn(config).unwrap();
    let agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(20)))
        .build()
        .into();
    Emu { server, agent }
}

pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

static NONCE: AtomicU64 = AtomicU64::new(0);

/// A nonce unique within this test process.
pub fn fresh_nonce() -> String {
    format!(
        "t{}-{}",
        std::process::id(),
        NONCE.fetch_add(1, Ordering::Relaxed)
    )
}

/// The documented scheme, written out independently of the SDK.
pub fn authorization(
    access_key: &str,
    secret_key: &str,
    method: &str,
    path: &str,
    query: &str,
    body: &[u8],
    timestamp: &str,
    nonce: &str,
) -> String {
    let digest = Sha256::new()
        .chain_update(secret_key.as_bytes())
        .chain_update(body)
        .chain_update(path.as_bytes())
        .chain_update(query.as_bytes())
        .chain_update(method.as_bytes())
        .chain_update(timestamp.as_bytes())
        .chain_update(nonce.as_bytes())
        .finalize();
    let hash: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("ZEPHR-HMAC-SHA256 {access_key}:{timestamp}:{nonce}:{hash}")
}

/// The demo pair's header for a request, now, with a fresh nonce.
pub fn demo_authorization(method: &str, path: &str, query: &str, body: &[u8]) -> String {
    authorization(
        DEMO_ACCESS_KEY,
        DEMO_SECRET_KEY,
        method,
        path,
        query,
        body,
        &now_ms().to_string(),
        &fresh_nonce(),
    )
}

impl Emu {
    /// Sends exactly these bytes of method, path, query, headers and body.
    pub fn raw(
        &self,
        method: &str,
        path: &str,
        query: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Answer {
        let target = if query.is_empty() {
            format!("{}{path}", self.server.base_url())
        } else {
            format!("{}{path}?{query}", self.server.base_url())
        };
        let mut builder = ureq::http::Request::builder().method(method).uri(&target);
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        if !body.is_empty() {
            builder = builder.header("content-type", "application/json");
        }
        let request = builder.body(body.to_vec()).unwrap();
        let mut reply = self.agent.run(request).unwrap();
        let headers = reply
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let body = reply.body_mut().read_to_vec().unwrap();
        Answer {
            status: reply.status().as_u16(),
            headers,
            body,
        }
    }

    /// Signed with the demo pair, now, with a fresh nonce.
    pub fn signed(&self, method: &str, path: &str, query: &str, body: &[u8]) -> Answer {
        self.signed_with(method, path, query, body, &[])
    }

    /// Signed, with extra headers.
    pub fn signed_with(
        &self,
        method: &str,
        path: &str,
        query: &str,
        body: &[u8],
        extra: &[(&str, &str)],
    ) -> Answer {
        let auth = demo_authorization(method, path, query, body);
        let mut headers = vec![("authorization", auth.as_str())];
        headers.extend_from_slice(extra);
        self.raw(method, path, query, &headers, body)
    }

    /// A signed JSON request; the body is `value` serialised.
    pub fn json(&self, method: &str, path: &str, query: &str, value: &Value) -> Answer {
        let body = serde_json::to_vec(value).unwrap();
        self.signed(method, path, query, &body)
    }
}
