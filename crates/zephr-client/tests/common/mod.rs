//! What both clients' tests share: a loopback server that answers from a
//! script of faults, the emulator, and one scenario that each client runs
//! through the same small interface.

#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use serde_json::{Map, Value, json};
use zephr_admin::operations::account::ListAccountsItem;
use zephr_admin::retry::RetryPolicy;
use zephr_admin::{BaseUrl, Client, Credentials};
use zephr_admin_client::{CallError, Config};
use zephr_emulator::{BackgroundEmulator, Fault};

/// What the scripted server does with one request.
#[derive(Debug, Clone)]
pub enum Act {
    /// Answer with this status, extra headers and body.
    Reply(u16, Vec<(String, String)>, String),
    /// Close the connection without answering.
    Reset,
    /// Answer 200 after this delay.
    Slow(Duration),
    /// Answer 200 with a body of this many bytes.
    Huge(usize),
}

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub target: String,
    pub headers: Vec<(String, String)>,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A loopback HTTP/1.1 server answering from a script (then `200 {"ok":true}`).
pub struct FaultServer {
    pub base_url: String,
    script: Arc<Mutex<VecDeque<Act>>>,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl FaultServer {
    pub fn start() -> FaultServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        let script = Arc::new(Mutex::new(VecDeque::new()));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let (s, v) = (script.clone(), seen.clone());
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (s, v) = (s.clone(), v.clone());
                thread::spawn(move || serve(stream, &s, &v));
            }
        });
        FaultServer {
            base_url,
            script,
            seen,
        }
    }

    pub fn script(&self, acts: impl IntoIterator<Item = Act>) {
        let mut script = self.script.lock().unwrap();
        script.clear();
        script.extend(acts);
        self.seen.lock().unwrap().clear();
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

fn serve(mut stream: TcpStream, script: &Mutex<VecDeque<Act>>, seen: &Mutex<Vec<Seen>>) {
    let _ = stream.set_nodelay(true);
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let mut parts = line.split_whitespace();
        let (Some(method), Some(target)) = (parts.next(), parts.next()) else {
            return;
        };
        let (method, target) = (method.to_owned(), target.to_owned());
        let mut headers = Vec::new();
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header).unwrap_or(0) == 0 {
                return;
            }
            let header = header.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((k, v)) = header.split_once(':') {
                headers.push((k.trim().to_ascii_lowercase(), v.trim().to_owned()));
            }
        }
        let length: usize = headers
            .iter()
            .find(|(k, _)| k == "content-length")
            .map_or(0, |(_, v)| v.parse().unwrap_or(0));
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        seen.lock().unwrap().push(Seen {
            method,
            target,
            headers,
        });
        let act = script.lock().unwrap().pop_front();
        let ok = || (200, vec![], r#"{"ok":true,"user_id":"u-1"}"#.to_owned());
        let (status, extra, body) = match act {
            None => ok(),
            Some(Act::Reply(status, extra, body)) => (status, extra, body),
            Some(Act::Reset) => return,
            Some(Act::Slow(delay)) => {
                thread::sleep(delay);
                ok()
            }
            Some(Act::Huge(len)) => (200, vec![], "x".repeat(len)),
        };
        let mut head = format!(
            "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nx-request-id: req-{status}\r\n",
            body.len()
        );
        for (k, v) in extra {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str("\r\n");
        // One write: a head and body written apart meet Nagle and delayed ACKs (40 ms).
        head.push_str(&body);
        if stream.write_all(head.as_bytes()).is_err() {
            return;
        }
    }
}

/// A quick policy for tests: short backoff, Retry-After capped at 2 s.
pub fn policy(max_retries: u32) -> RetryPolicy {
    RetryPolicy::default()
        .with_max_retries(max_retries)
        .with_base_delay_ms(5)
        .with_max_delay_ms(20)
        .with_max_retry_after_ms(2_000)
}

pub fn core(base_url: &str, credentials: Credentials, max_retries: u32) -> Client {
    Client::new(credentials, BaseUrl::parse(base_url).unwrap())
        .with_retry_policy(policy(max_retries))
}

/// The calls the scenario makes, as each client offers them.
pub trait Api {
    fn get_user(&self, user_id: &str) -> Result<Value, CallError>;
    fn create_account(&self, name: &str) -> Result<Value, CallError>;
    fn create_user(&self, email: &str) -> Result<String, CallError>;
    fn delete_user(&self, user_id: &str) -> Result<Value, CallError>;
    fn list_accounts(&self, rpp: i64) -> Vec<Result<ListAccountsItem, CallError>>;
}

/// Builds a client of one kind: base URL, credentials, retries, transport settings.
pub type Factory<'a> = &'a dyn Fn(&str, Credentials, u32, Config) -> Box<dyn Api>;

fn test_credentials() -> Credentials {
    Credentials::new("test-access", "test-secret-never-shown").unwrap()
}

/// The nonce of an `Authorization` header.
fn nonce(seen: &Seen) -> String {
    let auth = seen.header("authorization").unwrap();
    auth.split(':').nth(2).unwrap().to_owned()
}

/// The fault scenario every client runs, `tests/scenarios/faults.json`.
const FAULTS: &str = include_str!("../../../../tests/scenarios/faults.json");

/// One scripted answer of the scenario file.
fn act(step: &Value) -> Act {
    if step["reset"] == true {
        return Act::Reset;
    }
    if let Some(ms) = step["slowMs"].as_u64() {
        return Act::Slow(Duration::from_millis(ms));
    }
    if let Some(len) = step["hugeBytes"].as_u64() {
        return Act::Huge(len as usize);
    }
    let headers = step["headers"].as_object().map_or(Vec::new(), |h| {
        h.iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
            .collect()
    });
    let body = step["body"].as_str().unwrap_or("{}").to_owned();
    Act::Reply(step["status"].as_u64().unwrap() as u16, headers, body)
}

/// What a call of the scenario gave: the ids of a list (if it was one) and its error.
fn outcome(api: &dyn Api, step: &Value) -> (Option<Vec<String>>, Option<CallError>) {
    match step["call"].as_str().unwrap() {
        "getUser" => (None, api.get_user("u-1").err()),
        "createAccount" => (None, api.create_account("a").err()),
        "listAccounts" => {
            let mut ids = Vec::new();
            for item in api.list_accounts(step["rpp"].as_i64().unwrap()) {
                match item {
                    Ok(account) => ids.push(account.account_id.unwrap()),
                    Err(e) => return (Some(ids), Some(e)),
                }
            }
            (Some(ids), None)
        }
        other => panic!("unknown call {other} in the scenario"),
    }
}

/// Every step of the shared fault scenario, against one client kind.
pub fn fault_scenario(make: Factory<'_>) {
    let scenario: Value = serde_json::from_str(FAULTS).unwrap();
    let server = FaultServer::start();
    let quick = Config::default()
        .timeout(Duration::from_millis(800))
        .user_agent("scenario/1.0");
    let closed = TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let default = make(&server.base_url, test_credentials(), 2, quick.clone());
    let small = make(
        &server.base_url,
        test_credentials(),
        2,
        quick.clone().max_response_bytes(1_000),
    );
    let nowhere = make(&dead, test_credentials(), 1, quick);

    for step in scenario["steps"].as_array().unwrap() {
        let what = step["what"].as_str().unwrap();
        let api = match step["client"].as_str().unwrap_or("default") {
            "small" => &small,
            "nowhere" => &nowhere,
            _ => &default,
        };
        server.script(step["script"].as_array().unwrap().iter().map(act));
        let (ids, error) = outcome(api.as_ref(), step);
        let expect = &step["expect"];
        if let Some(want) = expect["ids"].as_array() {
            let want: Vec<&str> = want.iter().map(|id| id.as_str().unwrap()).collect();
            assert_eq!(ids.unwrap(), want, "{what}");
        }
        match (&error, expect["error"].as_str()) {
            (None, None) => {}
            (Some(e), Some(code)) => {
                assert_eq!(e.code(), code, "{what}: {e}");
                if let Some(status) = expect["status"].as_u64() {
                    assert_eq!(e.status().map(u64::from), Some(status), "{what}");
                }
                if let Some(message) = expect["message"].as_str() {
                    assert_eq!(e.api().unwrap().message.as_deref(), Some(message), "{what}");
                }
                if let Some(id) = expect["requestId"].as_str() {
                    assert_eq!(e.request_id(), Some(id), "{what}");
                }
                if let Some(location) = expect["location"].as_str() {
                    let CallError::Redirect(redirect) = e else {
                        panic!("{what}: {e:?} is not a redirect");
                    };
                    assert_eq!(redirect.location.as_deref(), Some(location), "{what}");
                }
            }
            (error, code) => panic!("{what}: got {error:?}, expected {code:?}"),
        }
        let seen = server.seen();
        assert_eq!(
            seen.len() as u64,
            step["requests"].as_u64().unwrap(),
            "{what}"
        );
        if let Some(targets) = step["targets"].as_array() {
            let got: Vec<&str> = seen.iter().map(|s| s.target.as_str()).collect();
            let want: Vec<&str> = targets.iter().map(|t| t.as_str().unwrap()).collect();
            assert_eq!(got, want, "{what}");
        }
        if step["distinctNonces"] == true {
            let mut nonces: Vec<String> = seen.iter().map(nonce).collect();
            nonces.sort();
            nonces.dedup();
            assert_eq!(
                nonces.len(),
                seen.len(),
                "{what}: every attempt has its own nonce"
            );
        }
    }

    // The configured product leads the user agent (a Rust client setting).
    server.script([]);
    default.get_user("u-1").unwrap();
    let agent = server.seen()[0].header("user-agent").unwrap().to_owned();
    assert!(agent.starts_with("scenario/1.0 zephr-admin/"), "{agent}");
}

/// Round trips against the emulator, with an injected 503 on every list page.
pub fn emulator_scenario(make: Factory<'_>) {
    let emu = BackgroundEmulator::spawn(zephr_emulator::Config::default()).unwrap();
    let api = make(
        &emu.base_url(),
        zephr_emulator::demo_credentials().unwrap(),
        2,
        Config::default(),
    );
    let user_id = api.create_user("engine@example.com").unwrap();
    let user = api.get_user(&user_id).unwrap();
    assert_eq!(user["identifiers"]["email_address"], "engine@example.com");
    for i in 0..7 {
        api.create_account(&format!("Account {i}")).unwrap();
    }
    emu.inject(
        Fault::Unavailable {
            retry_after_secs: 0,
        },
        1,
    );
    let before = emu.requests_served();
    let accounts: Vec<ListAccountsItem> = api
        .list_accounts(3)
        .into_iter()
        .map(Result::unwrap)
        .collect();
    assert_eq!(accounts.len(), 7);
    assert_eq!(accounts[6].name.as_deref(), Some("Account 6"));
    // Three pages and one retry.
    assert_eq!(emu.requests_served() - before, 4);

    api.delete_user(&user_id).unwrap();
    assert_eq!(api.get_user(&user_id).unwrap_err().code(), "not_found");

    // A wrong secret is a typed authentication error with its hint.
    let wrong = make(
        &emu.base_url(),
        Credentials::new(zephr_emulator::DEMO_ACCESS_KEY, "wrong-secret").unwrap(),
        0,
        Config::default(),
    );
    let error = wrong.get_user(&user_id).unwrap_err();
    assert_eq!(error.code(), "authentication_failed");
    assert!(!error.to_string().contains("wrong-secret"));
    assert!(!format!("{error:?}").contains("wrong-secret"));
}

/// The create-user body of the scenario.
pub fn identifiers(email: &str) -> Map<String, Value> {
    let mut identifiers = Map::new();
    identifiers.insert("email_address".into(), json!(email));
    identifiers
}
