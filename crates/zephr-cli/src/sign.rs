//! `zephr sign`: the Authorization header for one request.

use clap::Args;
use zephr_admin::{Credentials, Env, SignableRequest, sign};

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
    /// Milliseconds since the Unix epoch [default: now].
    #[arg(long)]
    timestamp: Option<String>,
    /// Unique nonce [default: 128 random bits as hex].
    #[arg(long, allow_hyphen_values = true)]
    nonce: Option<String>,
    /// Access key of the key pair.
    #[arg(long, env = "ZEPHR_ACCESS_KEY")]
    access_key: String,
    /// Secret key of the key pair (prefer the environment variable).
    #[arg(long, env = "ZEPHR_SECRET_KEY", hide_env_values = true)]
    secret_key: String,
}

/// Signs and returns the header value.
pub fn run(args: SignArgs) -> Result<String, String> {
    let credentials =
        Credentials::new(args.access_key, args.secret_key).map_err(|e| e.to_string())?;
    let body = match (&args.body, &args.body_file) {
        (Some(text), _) => text.as_bytes().to_vec(),
        (None, Some(path)) => std::fs::read(path)
            .map_err(|e| format!("cannot read body file {}: {e}", path.display()))?,
        (None, None) => Vec::new(),
    };
    let timestamp_ms = match &args.timestamp {
        Some(text) => parse_timestamp(text)?,
        None => zephr_admin::system_now_ms(),
    };
    let nonce = match args.nonce {
        Some(nonce) => nonce,
        None => Env::from_system().map_err(|e| e.to_string())?.nonce,
    };
    let request = SignableRequest {
        method: &args.method,
        path: &args.path,
        query: &args.query,
        body: &body,
    };
    let signature =
        sign(&credentials, &request, timestamp_ms, &nonce).map_err(|e| e.to_string())?;
    Ok(signature.into_authorization())
}

/// A timestamp is plain decimal milliseconds: no sign, no spaces, no leading
/// zeros (they would change the signed text).
fn parse_timestamp(text: &str) -> Result<u64, String> {
    let canonical = !text.is_empty()
        && text.bytes().all(|b| b.is_ascii_digit())
        && (text == "0" || !text.starts_with('0'));
    canonical
        .then(|| text.parse::<u64>().ok())
        .flatten()
        .ok_or_else(|| {
            format!(
                "invalid_timestamp: '{text}' is not a count of milliseconds since the Unix epoch"
            )
        })
}
