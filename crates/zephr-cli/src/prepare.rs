//! `zephr prepare`: the signed request descriptor of one operation, as JSON.

use clap::Args;
use zephr_admin::Request;
use zephr_admin::catalogue::require_operation;

use crate::common::{EnvArgs, TargetArgs};

/// Arguments of `zephr prepare`.
#[derive(Debug, Args)]
pub struct PrepareArgs {
    /// The operationId (see `zephr ops`).
    operation_id: String,
    /// A path or query parameter by its documented name: NAME=VALUE (repeatable).
    #[arg(long = "param", value_name = "NAME=VALUE", allow_hyphen_values = true)]
    params: Vec<String>,
    /// The request body: JSON (or text for text operations), or @FILE to read it from a file.
    #[arg(long, allow_hyphen_values = true)]
    body: Option<String>,
    #[command(flatten)]
    target: TargetArgs,
    #[command(flatten)]
    env: EnvArgs,
}

/// The operation's request from the command-line parameters and body.
pub fn request(
    operation_id: &str,
    params: &[String],
    body: Option<&str>,
) -> Result<Request, String> {
    let op = require_operation(operation_id).map_err(|e| {
        let ids = zephr_admin::catalogue::OPERATIONS.iter().map(|op| op.id);
        match crate::common::suggest(operation_id, ids) {
            Some(id) => format!("{e}; did you mean '{id}'?"),
            None => format!("{e} (`zephr ops` lists them)"),
        }
    })?;
    let pairs = params
        .iter()
        .map(|p| {
            p.split_once('=')
                .ok_or_else(|| format!("invalid_param: '{p}' is not NAME=VALUE"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let body = match body {
        None => None,
        Some(text) => {
            let text = match text.strip_prefix('@') {
                Some(path) => std::fs::read_to_string(path)
                    .map_err(|e| format!("cannot read body file {path}: {e}"))?,
                None => text.to_owned(),
            };
            Some(op.body_from_text(text).map_err(|e| e.to_string())?)
        }
    };
    op.request(pairs.iter().copied(), body).map_err(|e| {
        let unknown = pairs.iter().map(|(name, _)| *name).find(|name| {
            !op.params.iter().any(|p| match p.name_prefix {
                Some(prefix) => name.len() > prefix.len() && name.starts_with(prefix),
                None => p.name == *name,
            })
        });
        let close =
            unknown.and_then(|name| crate::common::suggest(name, op.params.iter().map(|p| p.name)));
        match (e.code(), close) {
            ("unknown_param", Some(name)) => format!("{e}; did you mean '{name}'?"),
            _ => e.to_string(),
        }
    })
}

pub fn run(args: PrepareArgs) -> Result<String, String> {
    let request = request(&args.operation_id, &args.params, args.body.as_deref())?;
    let client = args.target.client()?;
    let prepared = client
        .prepare(&request, &args.env.env()?)
        .map_err(|e| e.to_string())?;
    serde_json::to_string_pretty(&zephr_admin_js::Descriptor::from(prepared))
        .map_err(|e| e.to_string())
}
