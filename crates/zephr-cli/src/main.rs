//! `zephr`: the command line of the Zephr Admin API SDK.

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

mod call;
mod common;
mod completions;
mod demo;
mod emulator;
mod export;
mod import;
mod ops;
mod prepare;
mod pump;
mod sign;
mod webhook;

/// Sign and prepare Zephr Admin API requests.
///
/// Credentials come from --access-key/--secret-key or ZEPHR_ACCESS_KEY/ZEPHR_SECRET_KEY.
#[derive(Debug, Parser)]
#[command(name = "zephr", version, about, after_help = EXIT_CODES)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Print the Authorization header value for one request.
    Sign(sign::SignArgs),
    /// List the operations of the Admin API (a table, or --json).
    Ops(ops::OpsArgs),
    /// Print the signed request descriptor of one operation as JSON.
    Prepare(prepare::PrepareArgs),
    /// Send one operation and print the response JSON (--help lists every operation).
    Call(call::CallArgs),
    /// Run the local Admin API emulator on 127.0.0.1.
    Emulator(emulator::EmulatorArgs),
    /// Start the emulator in-process and run a short scenario through the SDK.
    Demo(demo::DemoArgs),
    /// Receive Zephr webhooks: `zephr webhook listen --port P --bearer T`.
    Webhook(webhook::WebhookArgs),
    /// Write every element of a list operation to a file as NDJSON (resumable).
    Export(export::ExportArgs),
    /// Run one operation per line of an NDJSON file, concurrently, with a journal.
    Import(import::ImportArgs),
    /// Print a shell completion script: `zephr completions bash|zsh|fish`.
    Completions(completions::CompletionsArgs),
}

/// The exit codes, in `zephr --help`.
const EXIT_CODES: &str = "Exit codes: 0 success; 1 the API answered an error or could not be \
reached (or an import had failed or unknown lines); 2 bad usage or input, nothing sent.";

/// Exit status for bad input (also what argument errors exit with).
const USAGE_ERROR: u8 = 2;

fn main() -> ExitCode {
    // Never a backtrace: an unexpected panic is still a one-line message.
    std::panic::set_hook(Box::new(|info| {
        eprintln!(
            "zephr: internal error: {}",
            info.payload().downcast_ref::<&str>().unwrap_or(&"panic")
        );
    }));
    let command = cli_command();
    let cli = match command
        .clone()
        .try_get_matches()
        .and_then(|matches| Cli::from_arg_matches(&matches))
    {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => {
            // --help and --version
            print!("{e}");
            return ExitCode::SUCCESS;
        }
        Err(e) => return fail(&usage_error(&e, &command)),
    };
    let result = match cli.command {
        Command::Sign(args) => sign::run(args),
        Command::Ops(args) => ops::run(args),
        Command::Prepare(args) => prepare::run(args),
        Command::Call(args) => return call::run(args),
        Command::Emulator(args) => return emulator::run(args),
        Command::Demo(args) => return demo::run(args),
        Command::Webhook(args) => return webhook::run(args),
        Command::Export(args) => return export::run(args),
        Command::Import(args) => return import::run(args),
        Command::Completions(args) => return completions::run(args, cli_command()),
    };
    match result {
        Ok(output) => {
            println!("{output}");
            ExitCode::SUCCESS
        }
        Err(message) => fail(&message),
    }
}

fn fail(message: &str) -> ExitCode {
    eprintln!("zephr: {}", message.trim_start_matches("error: "));
    ExitCode::from(USAGE_ERROR)
}

/// The command tree, with every operation listed under `zephr call --help`.
fn cli_command() -> clap::Command {
    Cli::command().mut_subcommand("call", |c| c.after_long_help(call::operations_help()))
}

/// A clap error as one complete message: what is missing or wrong, every
/// item of it, with the environment variable that can stand in for a flag,
/// and where to read more; clap's usage block is left out.
fn usage_error(error: &clap::Error, command: &clap::Command) -> String {
    use clap::error::{ContextKind, ContextValue, ErrorKind};

    let text = error.to_string();
    // clap's own text up to its "Usage:" block: the message and its list.
    let mut lines: Vec<String> = text
        .lines()
        .take_while(|l| !l.starts_with("Usage:") && !l.starts_with("For more information"))
        .map(|l| l.trim().to_owned())
        .filter(|l| !l.is_empty())
        .collect();
    if error.kind() == ErrorKind::MissingRequiredArgument {
        // Name the environment variable of each missing flag.
        let args: Vec<&clap::Arg> = std::iter::once(command)
            .chain(command.get_subcommands())
            .flat_map(|c| c.get_arguments())
            .collect();
        for line in lines.iter_mut().skip(1) {
            let long = line
                .split_whitespace()
                .next()
                .unwrap_or("")
                .trim_start_matches("--");
            let env = args
                .iter()
                .find(|a| a.get_long() == Some(long))
                .and_then(|a| a.get_env())
                .map(|e| e.to_string_lossy().into_owned());
            if let Some(env) = env {
                line.push_str(&format!(" (or set {env})"));
            }
        }
    }
    let mut message = lines.first().cloned().unwrap_or_default();
    let rest = lines.get(1..).unwrap_or_default();
    let (tips, items): (Vec<&String>, Vec<&String>) =
        rest.iter().partition(|l| l.starts_with("tip:"));
    if !items.is_empty() {
        let items: Vec<&str> = items.iter().map(|l| l.as_str()).collect();
        message.push(' ');
        message.push_str(&items.join(", "));
    }
    for tip in tips {
        message.push_str("; ");
        message.push_str(tip);
    }
    if let Some(ContextValue::String(suggested)) = error.get(ContextKind::SuggestedArg)
        && !message.contains(suggested.as_str())
    {
        message.push_str(&format!("; did you mean '{suggested}'?"));
    }
    let subcommand = std::env::args().nth(1).filter(|a| !a.starts_with('-'));
    match subcommand {
        Some(sub) if command.find_subcommand(&sub).is_some() => {
            message.push_str(&format!(" (see `zephr {sub} --help`)"));
        }
        _ => message.push_str(" (see `zephr --help`)"),
    }
    message
}
