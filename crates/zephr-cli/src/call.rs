//! `zephr call`: send one operation by pumping the core's call engine, and
//! print the answer; with `--all`, every element of a list as NDJSON.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use clap::Args;
use zephr_admin::PreparedRequest;
use zephr_admin::call::{Call, CallError, CallOptions, Pages};
use zephr_admin::error::ApiError;
use zephr_admin::retry::RetryPolicy;

use crate::common::{AttemptArgs, TargetArgs};
use crate::pump::{self, Event};

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
    #[arg(long, conflicts_with = "all")]
    raw: bool,
    /// Walk every page of a list operation and print each element as one
    /// JSON line (NDJSON), as the pages arrive.
    #[arg(long)]
    all: bool,
    #[command(flatten)]
    attempts: AttemptArgs,
    #[command(flatten)]
    target: TargetArgs,
}

/// Exit status when the API answered with an error or could not be reached.
pub const API_ERROR: u8 = 1;

/// The command line's blocking client from the target flags, with this many
/// retries and this timeout per attempt.
pub fn blocking_client(
    target: &TargetArgs,
    max_retries: u32,
    timeout_secs: u64,
) -> Result<zephr_admin_client::BlockingClient, String> {
    let core = target
        .client()?
        .with_retry_policy(RetryPolicy::default().with_max_retries(max_retries));
    pump::client(core, Duration::from_secs(timeout_secs.max(1)))
}

/// Prints each retry the engine decides on stderr.
pub fn log_retry(event: Event<'_>) {
    if let Event::Retry(note) = event {
        eprintln!(
            "zephr: {}; retrying in {:.1} s",
            pump::retry_cause(note),
            note.wait_ms as f64 / 1000.0
        );
    }
}

/// Exits as a failed call does: 2 when the core refused the input, 1 otherwise.
pub fn call_failed(error: &CallError) -> ExitCode {
    match error {
        CallError::Core(zephr_admin::Error::Input(_)) => crate::fail(&error.to_string()),
        CallError::Core(zephr_admin::Error::Api(api)) => {
            eprintln!("zephr: {}", describe(api));
            ExitCode::from(API_ERROR)
        }
        _ => {
            eprintln!("zephr: {error}");
            if let Some(id) = error.request_id() {
                eprintln!("  request id: {id}");
            }
            ExitCode::from(API_ERROR)
        }
    }
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

/// The lines that explain an API error: code, status, message, request id,
/// hint. (Redirects never get here: the engine ends the call on them with
/// its own error, which names the `Location`.)
pub fn describe(error: &ApiError) -> String {
    let mut text = format!("{} (HTTP {})", error.code, error.status);
    if let Some(message) = &error.message {
        text.push_str(": ");
        text.push_str(message);
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
    for op in zephr_admin::catalogue::OPERATIONS {
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
        let client = blocking_client(
            &args.target,
            args.attempts.max_retries,
            args.attempts.timeout,
        )?;
        Ok::<_, String>((request, client))
    })();
    let (request, client) = match prepared {
        Ok(parts) => parts,
        Err(message) => return crate::fail(&message),
    };
    if args.all {
        let is_list = zephr_admin::catalogue::find_operation(&args.operation_id)
            .is_some_and(|op| op.response == zephr_admin::catalogue::ResponseKind::List);
        if !is_list {
            return crate::fail(&format!(
                "--all walks the pages of a list operation, and '{}' does not answer a list \
                 (see `zephr ops` for the list operations)",
                args.operation_id
            ));
        }
        return all_pages(&client, request);
    }
    let mut call = Call::with_decoder(
        client.core(),
        request,
        CallOptions::default(),
        pump::keep_response,
    );
    let response = match pump::run(&client, &mut call, None, &mut log_retry) {
        Ok(response) => response,
        Err(e) => return call_failed(&e),
    };
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
            eprintln!("zephr: {}", describe(&error));
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

/// `--all`: each element of every page as one JSON line, flushed per page.
fn all_pages(
    client: &zephr_admin_client::BlockingClient,
    request: zephr_admin::Request,
) -> ExitCode {
    let mut pages: Pages<serde_json::Value> =
        Pages::new(client.core(), request, CallOptions::default());
    let mut stdout = std::io::stdout().lock();
    while let Some(page) = pump::drive(client, &mut pages, None, &mut log_retry) {
        match page {
            Ok(page) => {
                for item in &page.items {
                    if writeln!(stdout, "{item}").is_err() {
                        // A closed pipe (`| head`): stop quietly.
                        return ExitCode::SUCCESS;
                    }
                }
                let _ = stdout.flush();
            }
            Err(e) => return call_failed(&e),
        }
    }
    ExitCode::SUCCESS
}
