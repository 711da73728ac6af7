//! `zephr sign`: the Authorization header for one request.

use clap::Args;
use zephr_admin::signing::{SignableRequest, sign};

use crate::common::{CredentialArgs, EnvArgs};

/// Arguments of `zephr sign`.
#[derive(Debug, Args)]
pub struct SignArgs {
    /// HTTP method (GET, POST, PUT, PATCH, DELETE, ...).
    #[arg(long)]
    method: String,
    /// Path as sent, percent-encoded, starting with '/', without the query.
    #[arg(long)]
    path: String,
    /// Query string as sent, without the leading '?'.
    #[arg(long, default_value = "", allow_hyphen_values = true)]
    query: String,
    /// Body text, signed as its UTF-8 bytes.
    #[arg(long, conflicts_with = "body_file", allow_hyphen_values = true)]
    body: Option<String>,
    /// File whose exact bytes are the body.
    #[arg(long)]
    body_file: Option<std::path::PathBuf>,
    #[command(flatten)]
    env: EnvArgs,
    #[command(flatten)]
    credentials: CredentialArgs,
}

/// Signs and returns the header value.
pub fn run(args: SignArgs) -> Result<String, String> {
    let credentials = args.credentials.credentials()?;
    let body = match (&args.body, &args.body_file) {
        (Some(text), _) => text.as_bytes().to_vec(),
        (None, Some(path)) => std::fs::read(path)
            .map_err(|e| format!("cannot read body file {}: {e}", path.display()))?,
        (None, None) => Vec::new(),
    };
    let env = args.env.env()?;
    let request = SignableRequest {
        method: &args.method,
        path: &args.path,
        query: &args.query,
        body: &body,
    };
    let signature =
        sign(&credentials, &request, env.now_ms, &env.nonce).map_err(|e| e.to_string())?;
    Ok(signature.into_authorization())
}
