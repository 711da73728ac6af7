//! `zephr call`: send one operation with a real HTTP client, retrying as the
//! core decides, and print the answer.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use clap::Args;
use zephr_admin::{
    ApiError, Client, Env, Error, Outcome, PreparedRequest, Request, Response, RetryDecision,
    RetryPolicy,
};

use crate::common::TargetArgs;

/// Arguments of `zephr call`.
#[derive(Debug, Args)]
pub struct CallArgs {
    /// The operationId (see `zephr ops`).
    operation_id: String,
    /// A path, query or header parameter by its documented name: NAME=VALUE (repeatable).
    #[arg(long = "param", value_name = "NAME=VALUE", allow_hyphen_values = true)]
    params: Vec<String>,
    /// The request body: JSON (or text for text operations), or @FILE to read it from a file.
    #[arg(long, allow_hyphen_values = true)]
    body: Option<String>,
    /// Print the status line and response headers before the body.
    #[arg(long)]
    raw: bool,
    /// Retries after the first attempt, for the failures the core retries.
    #[arg(long, default_value_t = 2)]
    max_retries: u32,
    /// Seconds before one attempt is given up.
    #[arg(long, default_value_t = 30)]
    timeout: u64,
    #[command(flatten)]
    target: TargetArgs,
}

/// Exit status when the API answered with an error or could not be reached.
const API_ERROR: u8 = 1;

/// Why a call failed.
#[derive(Debug)]
pub enum CallError {
    /// No response: connection refused, timeout, ...
    Transport(String),
    /// The core refused the input.
    Zephr(Error),
}

impl std::fmt::Display for CallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CallError::Transport(message) => write!(f, "transport_error: {message}"),
            CallError::Zephr(e) => e.fmt(f),
        }
    }
}

/// A response and the signed request of its last attempt.
#[derive(Debug)]
pub struct Sent {
    pub prepared: PreparedRequest,
    pub response: Response,
    /// The statuses of the attempts that were retried.
    pub retried: Vec<u16>,
}

/// A `ureq` agent that hands every status back instead of failing on non-2xx,
/// and never follows a redirect: a redirect would re-send the body (personal
/// data) to wherever `Location` points, under a signature that does not cover
/// the new path, and report that answer as the operation's. A 3xx is an API
/// error instead.
pub fn agent(timeout: Duration) -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_global(Some(timeout))
        .build()
        .into()
}

/// Sends a request, re-signing each attempt with a fresh `Env` and retrying
/// as the client's policy decides. `on_retry` hears about each retry
/// (the failed status, or `None` for a transport error, and the wait).
pub fn send(
    agent: &ureq::Agent,
    client: &Client,
    request: &Request,
    on_retry: &mut dyn FnMut(Option<u16>, u64),
) -> Result<Sent, CallError> {
    let mut retried = Vec::new();
    loop {
        let env = Env::from_system().map_err(CallError::Zephr)?;
        let prepared = client.prepare(request, &env).map_err(CallError::Zephr)?;
        let outcome = transmit(agent, &prepared);
        let decision = match &outcome {
            Ok(response) if response.is_success() => RetryDecision::Stop,
            Ok(response) => decide(client, request, &Outcome::from_response(response), &retried),
            Err(_) => decide(client, request, &Outcome::TransportError, &retried),
        };
        match (decision, outcome) {
            (RetryDecision::RetryAfter(ms), outcome) => {
                let status = outcome.as_ref().ok().map(|r| r.status);
                on_retry(status, ms);
                retried.push(status.unwrap_or(0));
                std::thread::sleep(Duration::from_millis(ms));
            }
            (RetryDecision::Stop, Ok(response)) => {
                return Ok(Sent {
                    prepared,
                    response,
                    retried,
                });
            }
            (RetryDecision::Stop, Err(e)) => return Err(e),
        }
    }
}

fn transmit(agent: &ureq::Agent, prepared: &PreparedRequest) -> Result<Response, CallError> {
    let mut builder = ureq::http::Request::builder()
        .method(prepared.method.as_str())
        .uri(&prepared.url);
    for (name, value) in &prepared.headers {
        builder = builder.header(name, value);
    }
    let request = builder
        .body(prepared.body.clone())
        .map_err(|e| CallError::Transport(e.to_string()))?;
    let mut reply = agent
        .run(request)
        .map_err(|e| CallError::Transport(e.to_string()))?;
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
    let body = reply
        .body_mut()
        .with_config()
        .limit(64 * 1024 * 1024)
        .read_to_vec()
        .map_err(|e| CallError::Transport(e.to_string()))?;
    Ok(Response::new(reply.status().as_u16(), headers, body))
}

fn decide(
    client: &Client,
    request: &Request,
    outcome: &Outcome<'_>,
    retried: &[u16],
) -> RetryDecision {
    let jitter = zephr_admin::random_nonce()
        .ok()
        .and_then(|n| u32::from_str_radix(n.get(..8)?, 16).ok())
        .map_or(0.5, |x| f64::from(x) / f64::from(u32::MAX));
    let retries = u32::try_from(retried.len()).unwrap_or(u32::MAX);
    client.retry_policy().decide(
        request.method(),
        outcome,
        retries,
        jitter,
        zephr_admin::system_now_ms(),
    )
}

/// The request target of a prepared request (`/v3/users?x=y`), for display.
pub fn request_line(prepared: &PreparedRequest) -> String {
    let after_scheme = prepared
        .url
        .split_once("://")
        .map_or(prepared.url.as_str(), |(_, rest)| rest);
    let target = after_scheme
        .find('/')
        .and_then(|i| after_scheme.get(i..))
        .unwrap_or("/");
    format!("{} {target}", prepared.method)
}

/// The lines that explain an API error: code, status, message, the
/// `Location` of a redirect (which is not followed), request id, hint.
pub fn describe(error: &ApiError, response: &Response) -> String {
    let mut text = format!("{} (HTTP {})", error.code, error.status);
    if let Some(message) = &error.message {
        text.push_str(": ");
        text.push_str(message);
    }
    if (300..400).contains(&error.status) {
        text.push_str("\n  redirect not followed");
        if let Some(location) = response.header("location") {
            text.push_str(" (location: ");
            text.push_str(&location.escape_debug().to_string());
            text.push(')');
        }
    }
    if let Some(id) = &error.request_id {
        text.push_str("\n  request id: ");
        text.push_str(id);
    }
    if let Some(hint) = error.hint() {
        text.push_str("\n  hint: ");
        text.push_str(hint);
    }
    text
}

/// Every operation by group, for `zephr call --help`.
pub fn operations_help() -> String {
    let mut text = String::from("Operations (operationId, method, path), by group:\n");
    let mut group = "";
    for op in zephr_admin::OPERATIONS {
        if op.group != group {
            group = op.group;
            text.push_str(&format!("\n{group}\n"));
        }
        text.push_str(&format!("  {:<40} {:<6} {}\n", op.id, op.method, op.path));
    }
    text.push_str("\nExamples:\n  zephr call listAccounts --param rpp=10 --param page=2\n  zephr call createUser --body '{\"identifiers\":{\"email_address\":\"ada@example.com\"}}'\n  zephr call getUser --param user_id=5fd2b1a4 --raw");
    text
}

pub fn run(args: CallArgs) -> ExitCode {
    let prepared = (|| {
        let request =
            crate::prepare::request(&args.operation_id, &args.params, args.body.as_deref())?;
        let client = args.target.client()?.with_retry_policy(RetryPolicy {
            max_retries: args.max_retries,
            ..RetryPolicy::default()
        });
        Ok::<_, String>((request, client))
    })();
    let (request, client) = match prepared {
        Ok(parts) => parts,
        Err(message) => return crate::fail(&message),
    };
    let agent = agent(Duration::from_secs(args.timeout.max(1)));
    let mut on_retry = |status: Option<u16>, ms: u64| {
        let what = status.map_or("transport error".to_owned(), |s| format!("HTTP {s}"));
        eprintln!("zephr: {what}; retrying in {:.1} s", ms as f64 / 1000.0);
    };
    let sent = match send(&agent, &client, &request, &mut on_retry) {
        Ok(sent) => sent,
        Err(CallError::Zephr(e)) => return crate::fail(&e.to_string()),
        Err(e) => {
            eprintln!("zephr: {e}");
            return ExitCode::from(API_ERROR);
        }
    };
    let response = sent.response;
    let mut out = String::new();
    if args.raw {
        out.push_str(&format!("HTTP {}\n", response.status));
        for (name, value) in &response.headers {
            out.push_str(&format!("{name}: {value}\n"));
        }
        out.push('\n');
    }
    let status = match response.error_for_status() {
        Err(error) => {
            if args.raw {
                out.push_str(&error.body_text());
                print_out(&out);
            }
            eprintln!("zephr: {}", describe(&error, &response));
            return ExitCode::from(API_ERROR);
        }
        Ok(()) if response.body.is_empty() => ExitCode::SUCCESS,
        Ok(()) => match serde_json::from_slice::<serde_json::Value>(&response.body) {
            Ok(json) => {
                out.push_str(&serde_json::to_string_pretty(&json).unwrap_or_default());
                ExitCode::SUCCESS
            }
            Err(e) => {
                out.push_str(&String::from_utf8_lossy(&response.body));
                eprintln!(
                    "zephr: decode_error: HTTP {} body ({} bytes) is not JSON: {e}",
                    response.status,
                    response.body.len()
                );
                ExitCode::from(API_ERROR)
            }
        },
    };
    print_out(&out);
    status
}

fn print_out(text: &str) {
    if text.is_empty() {
        return;
    }
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "{}", text.trim_end());
}
