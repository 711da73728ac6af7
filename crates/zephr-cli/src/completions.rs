//! `zephr completions bash|zsh|fish`: a completion script that also
//! completes operation ids.

use std::process::ExitCode;

use clap::builder::PossibleValuesParser;
use clap::{Args, ValueEnum};
use clap_complete::Shell;

/// Arguments of `zephr completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete in.
    shell: CompletionShell,
}

/// The shells with a completion script.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum CompletionShell {
    Bash,
    Zsh,
    Fish,
}

/// The subcommands whose first argument is an operation id.
const TAKE_OPERATION: [&str; 4] = ["call", "prepare", "export", "import"];

pub fn run(args: CompletionsArgs, command: clap::Command) -> ExitCode {
    let shell = match args.shell {
        CompletionShell::Bash => Shell::Bash,
        CompletionShell::Zsh => Shell::Zsh,
        CompletionShell::Fish => Shell::Fish,
    };
    let mut command = command;
    for name in TAKE_OPERATION {
        command = command.mut_subcommand(name, |sub| {
            sub.mut_arg("operation_id", |arg| {
                arg.value_parser(PossibleValuesParser::new(
                    zephr_admin::catalogue::OPERATIONS.iter().map(|op| op.id),
                ))
            })
        });
    }
    clap_complete::generate(shell, &mut command, "zephr", &mut std::io::stdout());
    if let CompletionShell::Fish = args.shell {
        // clap_complete's fish script leaves positional values out: add them.
        let ids: Vec<&str> = zephr_admin::catalogue::OPERATIONS
            .iter()
            .map(|op| op.id)
            .collect();
        for name in TAKE_OPERATION {
            println!(
                "complete -c zephr -n \"__fish_zephr_using_subcommand {name}\" -f -a \"{}\"",
                ids.join(" ")
            );
        }
    }
    ExitCode::SUCCESS
}
