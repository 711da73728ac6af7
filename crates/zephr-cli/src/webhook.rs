//! `zephr webhook listen`: receive Zephr webhook deliveries on 127.0.0.1, verify
//! their credentials with the SDK and print one line per delivery.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Subcommand};
use zephr_admin::webhook::{WebhookCredentials, WebhookError, WebhookEvent, WebhookVerifier};

/// Arguments of `zephr webhook`.
#[derive(Debug, Args)]
pub struct WebhookArgs {
    #[command(subcommand)]
    command: WebhookCommand,
}

#[derive(Debug, Subcommand)]
enum WebhookCommand {
    /// Receive deliveries, verify them and print each event (or why it was refused).
    Listen(ListenArgs),
}

/// Arguments of `zephr webhook listen`.
#[derive(Debug, Args)]
pub struct ListenArgs {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 8787)]
    port: u16,
    /// The Bearer token the webhook was configured with.
    #[arg(
        long,
        env = "ZEPHR_WEBHOOK_TOKEN",
        hide_env_values = true,
        conflicts_with = "basic"
    )]
    bearer: Option<String>,
    /// Basic credentials the webhook was configured with, as USER:PASSWORD.
    #[arg(long, env = "ZEPHR_WEBHOOK_BASIC", hide_env_values = true)]
    basic: Option<String>,
    /// Refuse events whose time is further than this from now (seconds).
    #[arg(long, value_name = "SECS")]
    tolerance_secs: Option<u64>,
    /// Exit after this many deliveries (verified or refused).
    #[arg(long, value_name = "N")]
    count: Option<usize>,
}

pub fn run(args: WebhookArgs) -> ExitCode {
    let WebhookCommand::Listen(args) = args.command;
    match listen(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("zephr: {message}");
            ExitCode::from(crate::USAGE_ERROR)
        }
    }
}

fn listen(args: &ListenArgs) -> Result<(), String> {
    let credentials = match (&args.bearer, &args.basic) {
        (Some(token), None) => WebhookCredentials::bearer(token.as_str()),
        (None, Some(pair)) => {
            let (user, password) = pair.split_once(':').ok_or("--basic takes USER:PASSWORD")?;
            WebhookCredentials::basic(user, password)
        }
        _ => {
            return Err(
                "give the webhook's credentials: --bearer TOKEN or --basic USER:PASSWORD".into(),
            );
        }
    }
    .map_err(|e| e.to_string())?;
    let mut verifier = WebhookVerifier::new(credentials);
    if let Some(secs) = args.tolerance_secs {
        verifier = verifier.with_tolerance_ms(secs.saturating_mul(1000));
    }
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, args.port))
        .map_err(|e| format!("cannot listen on 127.0.0.1:{}: {e}", args.port))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    println!(
        "listening on http://{addr}/ (verifying {} credentials)",
        verifier_kind(args)
    );
    let _ = std::io::stdout().flush();
    serve(&listener, &verifier, args.count, |line| {
        println!("{line}");
        let _ = std::io::stdout().flush();
    });
    Ok(())
}

fn verifier_kind(args: &ListenArgs) -> &'static str {
    if args.bearer.is_some() {
        "Bearer"
    } else {
        "Basic"
    }
}

/// Serves deliveries until `count` were received (forever without one),
/// calling `say` with one line per delivery.
pub fn serve(
    listener: &TcpListener,
    verifier: &WebhookVerifier,
    count: Option<usize>,
    mut say: impl FnMut(String),
) {
    let mut received = 0;
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        if let Some(outcome) = receive(stream, verifier) {
            received += 1;
            match outcome {
                Ok(event) => say(describe(&event)),
                Err(error) => say(format!("refused  {}: {error}", error.code())),
            }
        }
        if count.is_some_and(|n| received >= n) {
            return;
        }
    }
}

/// One line for a verified event: type, webhook label, time, dedupe key, details.
pub fn describe(event: &WebhookEvent) -> String {
    let mut details = event.raw_details.to_string();
    if details.len() > 200 {
        let cut = (0..=200)
            .rev()
            .find(|&i| details.is_char_boundary(i))
            .unwrap_or(0);
        details.truncate(cut);
        details.push('…');
    }
    format!(
        "verified {}  webhook={}  time={}  key={}  details={details}",
        event.event_type,
        event.webhook.as_deref().unwrap_or("-"),
        event.time,
        event.dedupe_key,
    )
}

/// Reads one HTTP/1.1 request, verifies it and answers 200, 400 or 401.
/// `None` when the connection did not carry a readable request.
fn receive(
    stream: TcpStream,
    verifier: &WebhookVerifier,
) -> Option<Result<WebhookEvent, WebhookError>> {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let mut writer = stream.try_clone().ok()?;
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let (mut length, mut authorization) = (0usize, None);
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).ok()? == 0 {
            return None;
        }
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        let (name, value) = header.split_once(':')?;
        match name.trim().to_ascii_lowercase().as_str() {
            "content-length" => length = value.trim().parse().ok()?,
            "authorization" => authorization = Some(value.trim().to_owned()),
            _ => {}
        }
    }
    if length > 1024 * 1024 {
        let _ = writer.write_all(
            b"HTTP/1.1 413 Payload Too Large\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
        );
        return None;
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    let now = zephr_admin::env::system_now_ms();
    let outcome = verifier.verify(
        authorization.as_deref(),
        &body,
        i64::try_from(now).unwrap_or(i64::MAX),
    );
    let status = match &outcome {
        Ok(_) => "200 OK",
        Err(WebhookError::InvalidBody(_) | WebhookError::StaleEvent { .. }) => "400 Bad Request",
        Err(_) => "401 Unauthorized",
    };
    let _ = write!(
        writer,
        "HTTP/1.1 {status}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
    );
    Some(outcome)
}
