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
use zephr_admin::{BaseUrl, Client, Credentials, RetryPolicy};
use zephr_admin_client::{CallError, Config};
use zephr_emulator::{BackgroundEmulator, Fault};

/// What the scripted server does with one request.
#[derive(Debug, Clone)]
pub enum Act {
    /// Answer with this status, extra headers and body.
    Reply(u16, Vec<(&'static str, String)>, String),
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
    RetryPolicy {
        max_retries,
        base_delay_ms: 5,
        max_delay_ms: 20,
        max_retry_after_ms: 2_000,
        ..RetryPolicy::default()
    }
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

/// Every injected fault, against one client kind.
pub fn fault_scenario(make: Factory<'_>) {
    let server = FaultServer::start();
    let quick = Config::default()
        .timeout(Duration::from_millis(800))
        .user_agent("scenario/1.0");
    let api = make(&server.base_url, test_credentials(), 2, quick.clone());

    // 429 with Retry-After, then 503: retried, each attempt re-signed.
    server.script([
        Act::Reply(429, vec![("retry-after", "0".into())], "{}".into()),
        Act::Reply(503, vec![], "{}".into()),
    ]);
    assert_eq!(api.get_user("u-1").unwrap()["user_id"], "u-1");
    let seen = server.seen();
    assert_eq!(seen.len(), 3);
    let mut nonces: Vec<String> = seen.iter().map(nonce).collect();
    nonces.sort();
    nonces.dedup();
    assert_eq!(nonces.len(), 3, "every attempt has its own nonce");
    assert!(seen.iter().all(|s| s.target == "/v3/users/u-1"));
    let agent = seen[0].header("user-agent").unwrap();
    assert!(agent.starts_with("scenario/1.0 zephr-admin/"), "{agent}");

    // Retries run out: the last answer is the typed error, with its request id.
    server.script(vec![
        Act::Reply(503, vec![], r#"{"message":"down"}"#.into());
        3
    ]);
    let error = api.get_user("u-1").unwrap_err();
    assert_eq!(error.code(), "server_error");
    let api_error = error.api().unwrap();
    assert_eq!(api_error.message.as_deref(), Some("down"));
    assert_eq!(api_error.request_id.as_deref(), Some("req-503"));
    assert_eq!(server.seen().len(), 3);

    // A Retry-After beyond the cap is not waited for.
    server.script([Act::Reply(
        429,
        vec![("retry-after", "120".into())],
        "{}".into(),
    )]);
    assert_eq!(api.get_user("u-1").unwrap_err().code(), "rate_limited");
    assert_eq!(server.seen().len(), 1);

    // A reset connection: GET is retried, POST is not (it may have been applied).
    server.script([Act::Reset]);
    assert!(api.get_user("u-1").is_ok());
    assert_eq!(server.seen().len(), 2);
    server.script([Act::Reset]);
    assert_eq!(
        api.create_account("a").unwrap_err().code(),
        "transport_error"
    );
    assert_eq!(server.seen().len(), 1);

    // A slow answer times out; a POST that timed out is not retried.
    server.script([Act::Slow(Duration::from_millis(1_500))]);
    assert_eq!(api.create_account("a").unwrap_err().code(), "timed_out");
    assert_eq!(server.seen().len(), 1);
    // A GET that timed out is retried, and the retry succeeds.
    server.script([Act::Slow(Duration::from_millis(1_500))]);
    assert!(api.get_user("u-1").is_ok());
    assert_eq!(server.seen().len(), 2);

    // A redirect is a typed error and is not followed.
    let location = format!("{}/elsewhere", server.base_url);
    server.script([Act::Reply(
        302,
        vec![("location", location.clone())],
        String::new(),
    )]);
    let error = api.get_user("u-1").unwrap_err();
    assert_eq!(error.code(), "redirect");
    assert!(
        matches!(&error, CallError::Redirect(r) if r.status == Some(302) && r.location.as_deref() == Some(location.as_str())),
        "{error:?}"
    );
    assert_eq!(server.seen().len(), 1);

    // An oversized body stops the read and is not retried.
    let small = make(
        &server.base_url,
        test_credentials(),
        2,
        quick.clone().max_response_bytes(1_000),
    );
    server.script([Act::Huge(50_000)]);
    assert_eq!(small.get_user("u-1").unwrap_err().code(), "body_too_large");
    assert_eq!(server.seen().len(), 1);

    // A 2xx body that does not decode is a typed decode error.
    server.script([Act::Reply(200, vec![], "{\"user_id\": [".into())]);
    assert_eq!(api.get_user("u-1").unwrap_err().code(), "decode_error");

    // Pages over a scripted list: links until the last page.
    server.script([
        Act::Reply(
            200,
            vec![],
            json!({"results": [{"account_id": "a"}, {"account_id": "b"}], "links": {"next": {"page": 2}}}).to_string(),
        ),
        Act::Reply(503, vec![("retry-after", "0".into())], "{}".into()),
        Act::Reply(
            200,
            vec![],
            json!({"results": [{"account_id": "c"}], "links": {"next": null}}).to_string(),
        ),
    ]);
    let ids: Vec<String> = api
        .list_accounts(2)
        .into_iter()
        .map(|a| a.unwrap().account_id.unwrap())
        .collect();
    assert_eq!(ids, ["a", "b", "c"]);
    let targets: Vec<String> = server.seen().into_iter().map(|s| s.target).collect();
    assert_eq!(
        targets,
        [
            "/v3/accounts?rpp=2",
            "/v3/accounts?rpp=2&page=2",
            "/v3/accounts?rpp=2&page=2"
        ]
    );

    // An error mid-list ends the list with that error.
    server.script([
        Act::Reply(
            200,
            vec![],
            json!({"results": [{"account_id": "a"}], "total": 5}).to_string(),
        ),
        Act::Reply(404, vec![], "{}".into()),
    ]);
    let items = api.list_accounts(1);
    assert_eq!(items.len(), 2);
    assert_eq!(items[1].as_ref().unwrap_err().code(), "not_found");

    // Nothing listens: the connection fails, and even a POST is retried
    // (it was never sent) until the retries run out.
    let closed = TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let nowhere = make(&dead, test_credentials(), 1, quick);
    assert_eq!(
        nowhere.create_account("a").unwrap_err().code(),
        "connect_failed"
    );
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
