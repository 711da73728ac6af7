//! `zephr`: the command line of the Zephr Admin API SDK.

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

mod call;
mod common;
mod demo;
mod emulator;
mod ops;
mod prepare;
mod sign;
mod webhook;

/// Sign and prepare Zephr Admin API requests.
///
/// Credentials come from --access-key/--secret-key or ZEPHR_ACCESS_KEY/ZEPHR_SECRET_KEY.
#[derive(Debug, Parser)]
#[command(name = "zephr", version, about)]
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
}

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
    let command =
        Cli::command().mut_subcommand("call", |c| c.after_long_help(call::operations_help()));
    let cli = match command
        .try_get_matches()
        .and_then(|matches| Cli::from_arg_matches(&matches))
    {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => {
            // --help and --version
            print!("{e}");
            return ExitCode::SUCCESS;
        }
        Err(e) => return fail(first_line(&e.to_string())),
    };
    let result = match cli.command {
        Command::Sign(args) => sign::run(args),
        Command::Ops(args) => ops::run(args),
        Command::Prepare(args) => prepare::run(args),
        Command::Call(args) => return call::run(args),
        Command::Emulator(args) => return emulator::run(args),
        Command::Demo(args) => return demo::run(args),
        Command::Webhook(args) => return webhook::run(args),
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

fn first_line(text: &str) -> &str {
    text.lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or(text)
        .trim()
}
