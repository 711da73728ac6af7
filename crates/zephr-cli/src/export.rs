//! `zephr export`: every element of a list operation, page after page, to a
//! file as NDJSON. A progress file beside the output records each finished
//! page, so `--resume` carries on from the page after it.

use std::fs::OpenOptions;
use std::io::{BufWriter, IsTerminal, Seek, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::{Value, json};
use zephr_admin::call::{CallOptions, Pages};
use zephr_admin::catalogue::Pagination;

use crate::call::{blocking_client, call_failed, log_retry};
use crate::common::{AttemptArgs, TargetArgs};
use crate::pump;

/// Arguments of `zephr export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// A list operation's operationId (e.g. listUsers, listAccounts).
    operation_id: String,
    /// A path or query parameter by its documented name: NAME=VALUE (repeatable).
    #[arg(long = "param", value_name = "NAME=VALUE", allow_hyphen_values = true)]
    params: Vec<String>,
    /// The NDJSON file written, one element a line.
    #[arg(long, short, value_name = "FILE")]
    output: PathBuf,
    /// Carry on an interrupted export of the same operation and parameters
    /// from the page after the last one written.
    #[arg(long)]
    resume: bool,
    #[command(flatten)]
    attempts: AttemptArgs,
    #[command(flatten)]
    target: TargetArgs,
}

/// Where an export stands, kept in `FILE.progress` after every page.
struct Progress {
    path: PathBuf,
    /// Identifies the export: the operation and its parameters.
    key: Value,
    pages: u64,
    items: u64,
    bytes: u64,
    complete: bool,
}

impl Progress {
    fn path_for(output: &Path) -> PathBuf {
        let mut name = output.as_os_str().to_owned();
        name.push(".progress");
        PathBuf::from(name)
    }

    fn load(path: &Path, key: &Value) -> Result<Option<Progress>, String> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
        };
        let saved: Value = serde_json::from_str(&text)
            .map_err(|e| format!("{} is not an export progress file: {e}", path.display()))?;
        if saved.get("export") != Some(key) {
            return Err(format!(
                "{} belongs to another export ({}); give the same operation and parameters, \
                 or drop --resume to start over",
                path.display(),
                saved.get("export").unwrap_or(&Value::Null)
            ));
        }
        let number = |name: &str| saved.get(name).and_then(Value::as_u64).unwrap_or(0);
        Ok(Some(Progress {
            path: path.to_owned(),
            key: key.clone(),
            pages: number("pages"),
            items: number("items"),
            bytes: number("bytes"),
            complete: saved
                .get("complete")
                .and_then(Value::as_bool)
                .unwrap_or(false),
        }))
    }

    /// Written to a temporary file and renamed, so it is never half there.
    fn save(&self) -> Result<(), String> {
        let text = json!({
            "export": self.key, "pages": self.pages, "items": self.items,
            "bytes": self.bytes, "complete": self.complete,
        })
        .to_string();
        let mut tmp = self.path.as_os_str().to_owned();
        tmp.push(".tmp");
        std::fs::write(&tmp, text)
            .and_then(|()| std::fs::rename(&tmp, &self.path))
            .map_err(|e| format!("cannot write {}: {e}", self.path.display()))
    }
}

pub fn run(args: ExportArgs) -> ExitCode {
    match export(&args) {
        Ok(code) => code,
        Err(message) => crate::fail(&message),
    }
}

fn export(args: &ExportArgs) -> Result<ExitCode, String> {
    let op =
        zephr_admin::catalogue::require_operation(&args.operation_id).map_err(|e| e.to_string())?;
    if op.response != zephr_admin::catalogue::ResponseKind::List {
        return Err(format!(
            "export needs a list operation, and '{}' does not answer a list \
             (see `zephr ops` for the list operations)",
            op.id
        ));
    }
    let mut request = crate::prepare::request(op.id, &args.params, None)?;
    let client = blocking_client(
        &args.target,
        args.attempts.max_retries,
        args.attempts.timeout,
    )?;
    let key = json!({"operation": op.id, "params": args.params});
    let progress_path = Progress::path_for(&args.output);
    let resumed = match args.resume {
        true => Progress::load(&progress_path, &key)?,
        false => None,
    };
    let mut progress = resumed.unwrap_or(Progress {
        path: progress_path,
        key,
        pages: 0,
        items: 0,
        bytes: 0,
        complete: false,
    });
    let mut skip_pages = 0;
    if progress.pages > 0 {
        match op.pagination {
            // Start at the page after the last one written.
            Pagination::PageRpp => {
                let first = request
                    .query_value("page")
                    .and_then(|p| p.parse::<u64>().ok())
                    .unwrap_or(1);
                request = request.with_query_replaced("page", (first + progress.pages).to_string());
            }
            // Not paged by number: walk again, writing nothing until then.
            _ => skip_pages = progress.pages,
        }
    }
    let file = OpenOptions::new()
        .create(true)
        .write(true)
        .truncate(false)
        .open(&args.output)
        .map_err(|e| format!("cannot open {}: {e}", args.output.display()))?;
    // Drop whatever was written after the last recorded page.
    file.set_len(progress.bytes)
        .map_err(|e| format!("cannot truncate {}: {e}", args.output.display()))?;
    let mut out = BufWriter::new(file);
    out.seek(std::io::SeekFrom::End(0))
        .map_err(|e| e.to_string())?;
    if progress.complete {
        return Ok(ExitCode::SUCCESS);
    }
    progress.save()?;

    let bar = progress_bar(progress.items);
    let mut pages: Pages<Value> = Pages::new(client.core(), request, CallOptions::default());
    let mut on_event = |event: pump::Event<'_>| match &bar {
        Some(bar) => {
            if let pump::Event::Retry(note) = event {
                bar.println(format!(
                    "zephr: {}; retrying in {:.1} s",
                    pump::retry_cause(note),
                    note.wait_ms as f64 / 1000.0
                ));
            }
        }
        None => log_retry(event),
    };
    while let Some(page) = pump::drive(&client, &mut pages, None, &mut on_event) {
        let page = match page {
            Ok(page) => page,
            Err(e) => {
                if let Some(bar) = &bar {
                    bar.abandon();
                }
                return Ok(call_failed(&e));
            }
        };
        if skip_pages > 0 {
            skip_pages -= 1;
            continue;
        }
        let mut bytes = 0u64;
        for item in &page.items {
            let line = format!("{item}\n");
            bytes += line.len() as u64;
            out.write_all(line.as_bytes())
                .map_err(|e| format!("cannot write {}: {e}", args.output.display()))?;
        }
        out.flush()
            .map_err(|e| format!("cannot write {}: {e}", args.output.display()))?;
        progress.pages += 1;
        progress.items += page.items.len() as u64;
        progress.bytes += bytes;
        progress.save()?;
        if let Some(bar) = &bar {
            if let Some(total) = page.total {
                bar.set_length(total);
            }
            bar.set_position(progress.items);
            bar.set_message(format!("{} pages", progress.pages));
        }
    }
    progress.complete = true;
    progress.save()?;
    if let Some(bar) = bar {
        bar.finish_with_message(format!(
            "{} pages, to {}",
            progress.pages,
            args.output.display()
        ));
    }
    Ok(ExitCode::SUCCESS)
}

/// Items, pages, rate and elapsed time on stderr, only when it is a terminal.
fn progress_bar(position: u64) -> Option<ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::new_spinner().with_style(
        ProgressStyle::with_template("{spinner} {pos} items, {msg} [{elapsed_precise}] {rate}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner())
            .with_key("rate", rate),
    );
    bar.set_position(position);
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    Some(bar)
}

/// The `{rate}` of a progress line: whole items per second.
pub fn rate(state: &indicatif::ProgressState, out: &mut dyn std::fmt::Write) {
    let _ = write!(out, "{:.0}/s", state.per_sec());
}
