//! `zephr import`: one call per line of an NDJSON file, at most N at a time,
//! with a journal that makes a second run skip what is done.
//!
//! The input is streamed (a bounded queue between the reader and the
//! workers), so memory does not grow with the file; the journal keeps one
//! byte of state per line. Every call is a core [`Call`] pumped by
//! [`pump::drive`]; the engine decides retries and waits. A 429 that the
//! engine retries holds back every worker for the wait it chose.
//!
//! The journal is append-only NDJSON, written as things happen: `sent`
//! before a line's first attempt, then `done`, `failed` or `unknown`. A line
//! whose last record is `sent` (the process died while it was in flight) or
//! `unknown` (a non-idempotent call lost after sending) may have taken
//! effect, so it is not sent again unless `--retry-unknown` says so.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::{Value, json};
use zephr_admin::call::{Call, CallError, CallOptions, FailureKind};
use zephr_admin::catalogue::OperationSpec;
use zephr_admin::{Env, Response};
use zephr_admin_client::BlockingClient;

use crate::call::{API_ERROR, blocking_client};
use crate::common::{AttemptArgs, TargetArgs};
use crate::pump::{self, Event, Gate};

/// Arguments of `zephr import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The operationId each line calls (e.g. createUser).
    operation_id: String,
    /// NDJSON input: one JSON object of parameters a line, e.g.
    /// {"body": {...}} for createUser or {"user_id": "...", "body": {...}}.
    #[arg(long, short, value_name = "FILE")]
    input: PathBuf,
    /// The most calls in flight at once.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=256))]
    concurrency: u16,
    /// The journal of each line's outcome [default: INPUT.journal]. A second
    /// run with the same journal skips the lines that are done.
    #[arg(long, value_name = "FILE")]
    journal: Option<PathBuf>,
    /// Where failed and unknown lines are listed as NDJSON (line, code,
    /// status, request id, message) [default: INPUT.failures.ndjson].
    #[arg(long, value_name = "FILE")]
    failures: Option<PathBuf>,
    /// Prepare and validate every line; send nothing and write no journal.
    #[arg(long)]
    dry_run: bool,
    /// Send again the lines whose outcome is unknown (they may have taken
    /// effect already: a second create may make a duplicate).
    #[arg(long)]
    retry_unknown: bool,
    #[command(flatten)]
    attempts: AttemptArgs,
    #[command(flatten)]
    target: TargetArgs,
}

/// A line's state in the journal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
enum State {
    None = 0,
    Sent = 1,
    Done = 2,
    Failed = 3,
    Unknown = 4,
}

impl State {
    fn parse(text: &str) -> Option<State> {
        Some(match text {
            "sent" => State::Sent,
            "done" => State::Done,
            "failed" => State::Failed,
            "unknown" => State::Unknown,
            _ => return None,
        })
    }

    fn from_byte(byte: u8) -> State {
        match byte {
            1 => State::Sent,
            2 => State::Done,
            3 => State::Failed,
            4 => State::Unknown,
            _ => State::None,
        }
    }
}

/// The append-only journal: one record a line, each written whole.
struct Journal {
    file: Option<Mutex<File>>,
}

impl Journal {
    /// Reads the last state of each line and opens the journal for appending
    /// (not in a dry run). The first record names the operation, so a journal
    /// is never applied to another one.
    fn open(path: &Path, op: &str, write: bool) -> Result<(Journal, Vec<u8>), String> {
        let mut states = Vec::new();
        let mut header = None;
        match File::open(path) {
            Ok(file) => {
                for line in BufReader::new(file).lines() {
                    let line = line.map_err(|e| format!("cannot read {}: {e}", path.display()))?;
                    // A record cut short by a kill is ignored: its line stays
                    // in its previous state.
                    let Ok(record) = serde_json::from_str::<Value>(&line) else {
                        continue;
                    };
                    if let Some(name) = record.get("operation").and_then(Value::as_str) {
                        header = Some(name.to_owned());
                    }
                    let (Some(n), Some(state)) = (
                        record.get("line").and_then(Value::as_u64),
                        record
                            .get("state")
                            .and_then(Value::as_str)
                            .and_then(State::parse),
                    ) else {
                        continue;
                    };
                    let index = usize::try_from(n).unwrap_or(usize::MAX);
                    if index >= states.len() {
                        states.resize(index.saturating_add(1), State::None as u8);
                    }
                    if let Some(slot) = states.get_mut(index) {
                        *slot = state as u8;
                    }
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
        }
        if let Some(name) = &header
            && name != op
        {
            return Err(format!(
                "the journal {} records an import of {name}, not {op}; give another --journal",
                path.display()
            ));
        }
        if !write {
            return Ok((Journal { file: None }, states));
        }
        let mut file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| format!("cannot open {}: {e}", path.display()))?;
        if header.is_none() {
            writeln!(file, "{}", json!({"operation": op}))
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        }
        Ok((
            Journal {
                file: Some(Mutex::new(file)),
            },
            states,
        ))
    }

    /// Appends one record in a single write, so a kill leaves whole records
    /// (or a cut last one, which is ignored on reading).
    fn record(&self, record: &Value) {
        if let Some(file) = &self.file {
            let line = format!("{record}\n");
            let mut file = file.lock().unwrap_or_else(|e| e.into_inner());
            if let Err(e) = file.write_all(line.as_bytes()) {
                eprintln!("zephr: cannot write the journal: {e}");
            }
        }
    }
}

/// How each line ended.
#[derive(Debug, Default)]
struct Tally {
    done: AtomicU64,
    failed: AtomicU64,
    unknown: AtomicU64,
    skipped_done: AtomicU64,
    valid: AtomicU64,
    /// Lines of unknown outcome, this run's and those skipped from before.
    unknown_lines: Mutex<Vec<u64>>,
}

/// What a worker shares with the others.
struct Shared<'a> {
    op: &'static OperationSpec,
    journal: &'a Journal,
    failures: Mutex<File>,
    tally: Tally,
    gate: Gate,
    dry_run: bool,
    bar: Option<ProgressBar>,
}

/// Set by the first Ctrl-C: no new line is started; calls in flight finish.
static STOP: AtomicBool = AtomicBool::new(false);

pub fn run(args: ImportArgs) -> ExitCode {
    match import(&args) {
        Ok(code) => code,
        Err(message) => crate::fail(&message),
    }
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

fn import(args: &ImportArgs) -> Result<ExitCode, String> {
    let started = Instant::now();
    let op = zephr_admin::catalogue::require_operation(&args.operation_id).map_err(|e| {
        let ids = zephr_admin::catalogue::OPERATIONS.iter().map(|op| op.id);
        match crate::common::suggest(&args.operation_id, ids) {
            Some(id) => format!("{e}; did you mean '{id}'?"),
            None => format!("{e} (`zephr ops` lists them)"),
        }
    })?;
    let input = File::open(&args.input)
        .map_err(|e| format!("cannot read the input {}: {e}", args.input.display()))?;
    let client = blocking_client(
        &args.target,
        args.attempts.max_retries,
        args.attempts.timeout,
    )?;
    let journal_path = args
        .journal
        .clone()
        .unwrap_or_else(|| with_suffix(&args.input, ".journal"));
    let failures_path = args
        .failures
        .clone()
        .unwrap_or_else(|| with_suffix(&args.input, ".failures.ndjson"));
    let (journal, states) = Journal::open(&journal_path, op.id, !args.dry_run)?;
    let failures = File::create(&failures_path)
        .map_err(|e| format!("cannot write {}: {e}", failures_path.display()))?;
    // A second Ctrl-C ends at once; the journal is still sound (see above).
    let _ = ctrlc::set_handler(|| {
        if STOP.swap(true, Ordering::SeqCst) {
            std::process::exit(130);
        }
        eprintln!("\nzephr: stopping: finishing the calls in flight (Ctrl-C again to quit now)");
    });
    let shared = Shared {
        op,
        journal: &journal,
        failures: Mutex::new(failures),
        tally: Tally::default(),
        gate: Gate::default(),
        dry_run: args.dry_run,
        bar: progress_bar(&args.input),
    };
    let workers = usize::from(args.concurrency);
    let (sender, receiver) = mpsc::sync_channel::<(u64, String)>(workers * 2);
    let receiver = Arc::new(Mutex::new(receiver));
    let read_error = std::thread::scope(|scope| {
        for _ in 0..workers {
            let receiver = Arc::clone(&receiver);
            let shared = &shared;
            // Each worker has its own connection.
            let client = pump::client(
                client.core().clone(),
                Duration::from_secs(args.attempts.timeout.max(1)),
            );
            scope.spawn(move || {
                let Ok(client) = client else { return };
                loop {
                    let next = receiver.lock().unwrap_or_else(|e| e.into_inner()).recv();
                    let Ok((n, text)) = next else { return };
                    if STOP.load(Ordering::SeqCst) {
                        // Queued lines are left for the next run.
                        return;
                    }
                    run_line(&client, shared, n, &text);
                    if let Some(bar) = &shared.bar {
                        bar.inc(1);
                    }
                }
            });
        }
        let result = feed(input, &states, args.retry_unknown, &shared, &sender);
        drop(sender);
        result
    });
    read_error?;
    Ok(summary(args, &shared, &failures_path, started))
}

/// Streams the input to the workers, skipping what the journal says.
fn feed(
    input: File,
    states: &[u8],
    retry_unknown: bool,
    shared: &Shared<'_>,
    sender: &mpsc::SyncSender<(u64, String)>,
) -> Result<(), String> {
    let mut reader = BufReader::new(input);
    let mut text = String::new();
    let mut n = 0u64;
    loop {
        if STOP.load(Ordering::SeqCst) {
            return Ok(());
        }
        text.clear();
        match reader.read_line(&mut text) {
            Ok(0) => return Ok(()),
            Ok(_) => {}
            Err(e) => return Err(format!("cannot read the input line {}: {e}", n + 1)),
        }
        n += 1;
        if text.trim().is_empty() {
            continue;
        }
        let state = usize::try_from(n)
            .ok()
            .and_then(|i| states.get(i))
            .map_or(State::None, |b| State::from_byte(*b));
        let skip = match state {
            State::Done => {
                shared.tally.skipped_done.fetch_add(1, Ordering::Relaxed);
                true
            }
            State::Sent | State::Unknown if !retry_unknown => {
                shared.tally.unknown.fetch_add(1, Ordering::Relaxed);
                lock(&shared.tally.unknown_lines).push(n);
                true
            }
            _ => false,
        };
        if skip {
            if let Some(bar) = &shared.bar {
                bar.inc(1);
            }
            continue;
        }
        if sender.send((n, text.trim_end().to_owned())).is_err() {
            return Ok(());
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// One line: parse, build the request, then (unless a dry run) send it and
/// record the outcome.
fn run_line(client: &BlockingClient, shared: &Shared<'_>, n: u64, text: &str) {
    let request = serde_json::from_str::<Value>(text)
        .map_err(|e| {
            (
                "invalid_json".to_owned(),
                format!("the line is not JSON: {e}"),
            )
        })
        .and_then(|params| {
            shared
                .op
                .request_from_json(&params)
                .map_err(|e| (e.code().to_owned(), e.to_string()))
        });
    let request = match request {
        Ok(request) => request,
        Err((code, message)) => {
            return fail_line(shared, n, State::Failed, &code, None, None, &message);
        }
    };
    if shared.dry_run {
        let prepared = Env::from_system().and_then(|env| client.core().prepare(&request, &env));
        match prepared {
            Ok(_) => {
                shared.tally.valid.fetch_add(1, Ordering::Relaxed);
            }
            Err(e) => fail_line(
                shared,
                n,
                State::Failed,
                e.code(),
                None,
                None,
                &e.to_string(),
            ),
        }
        return;
    }
    let idempotent = !matches!(request.method(), "POST" | "PATCH");
    let mut call = Call::with_decoder(
        client.core(),
        request,
        CallOptions::default(),
        pump::keep_response,
    );
    let mut sent = false;
    let result = pump::run(client, &mut call, Some(&shared.gate), &mut |event| {
        if let Event::Sending(_) = event
            && !sent
        {
            sent = true;
            shared.journal.record(&json!({"line": n, "state": "sent"}));
        }
    });
    match result {
        Ok(response) => finish_response(shared, n, &response),
        Err(CallError::Transport(f)) => {
            // A request that never left, or one safe to repeat, is a definite failure (sent
            // again next run); any other may have taken effect: never sent again by default.
            let state = if f.kind == FailureKind::Connect || idempotent {
                State::Failed
            } else {
                State::Unknown
            };
            fail_line(shared, n, state, f.kind.as_str(), None, None, &f.message);
        }
        // A redirect or an undecodable answer keeps its status and request id.
        Err(e) => fail_line(
            shared,
            n,
            State::Failed,
            e.code(),
            e.status(),
            e.request_id(),
            &e.to_string(),
        ),
    }
}

fn finish_response(shared: &Shared<'_>, n: u64, response: &Response) {
    match response.error_for_status() {
        Ok(()) => {
            shared.tally.done.fetch_add(1, Ordering::Relaxed);
            shared
                .journal
                .record(&json!({"line": n, "state": "done", "status": response.status}));
        }
        Err(api) => fail_line(
            shared,
            n,
            State::Failed,
            api.code.as_str(),
            Some(api.status),
            api.request_id.as_deref(),
            api.message.as_deref().unwrap_or(""),
        ),
    }
}

/// Records a failed or unknown line in the journal and the failures file.
fn fail_line(
    shared: &Shared<'_>,
    n: u64,
    state: State,
    code: &str,
    status: Option<u16>,
    request_id: Option<&str>,
    message: &str,
) {
    let name = if state == State::Unknown {
        shared.tally.unknown.fetch_add(1, Ordering::Relaxed);
        lock(&shared.tally.unknown_lines).push(n);
        "unknown"
    } else {
        shared.tally.failed.fetch_add(1, Ordering::Relaxed);
        "failed"
    };
    if !shared.dry_run {
        shared
            .journal
            .record(&json!({"line": n, "state": name, "code": code, "status": status}));
    }
    let record = json!({
        "line": n, "state": name, "code": code, "status": status,
        "request_id": request_id, "message": message,
    });
    let mut file = lock(&shared.failures);
    let _ = writeln!(file, "{record}");
}

/// Lines, rate and ETA on stderr, only when it is a terminal. The input is
/// counted first (one streaming pass) to know the total.
fn progress_bar(input: &Path) -> Option<ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let total = File::open(input)
        .ok()
        .map(|f| BufReader::new(f).lines().count() as u64)?;
    let bar = ProgressBar::new(total).with_style(
        ProgressStyle::with_template(
            "{bar:30} {pos}/{len} lines [{elapsed_precise}] {rate}, ETA {eta}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .with_key("rate", crate::export::rate),
    );
    Some(bar)
}

/// The summary on stderr; the exit status (1 if any line failed or is unknown).
fn summary(args: &ImportArgs, shared: &Shared<'_>, failures: &Path, started: Instant) -> ExitCode {
    if let Some(bar) = &shared.bar {
        bar.finish_and_clear();
    }
    let tally = &shared.tally;
    let get = |n: &AtomicU64| n.load(Ordering::Relaxed);
    let (done, failed, unknown) = (get(&tally.done), get(&tally.failed), get(&tally.unknown));
    let seconds = started.elapsed().as_secs_f64();
    let mut text = if args.dry_run {
        format!(
            "dry run of {}: {} valid, {failed} invalid, {} skipped (done before), {unknown} unknown",
            shared.op.id,
            get(&tally.valid),
            get(&tally.skipped_done),
        )
    } else {
        format!(
            "import of {}: {done} done, {} skipped (done before), {failed} failed, {unknown} unknown, in {seconds:.1} s ({:.0} calls/s)",
            shared.op.id,
            get(&tally.skipped_done),
            done as f64 / seconds.max(1e-3),
        )
    };
    if STOP.load(Ordering::SeqCst) {
        text.push_str("\n  interrupted: run the same command again to carry on");
    }
    let mut unknown_lines = lock(&tally.unknown_lines).clone();
    unknown_lines.sort_unstable();
    if !unknown_lines.is_empty() {
        let shown: Vec<String> = unknown_lines.iter().take(20).map(u64::to_string).collect();
        text.push_str(&format!(
            "\n  unknown outcome (may have taken effect; not sent again without --retry-unknown): line {}{}",
            shown.join(", "),
            if unknown_lines.len() > 20 { ", ..." } else { "" }
        ));
    }
    if failed + unknown > 0 {
        text.push_str(&format!("\n  details: {}", failures.display()));
    }
    eprintln!("zephr: {text}");
    if STOP.load(Ordering::SeqCst) {
        ExitCode::from(130)
    } else if failed + unknown > 0 {
        ExitCode::from(API_ERROR)
    } else {
        ExitCode::SUCCESS
    }
}
