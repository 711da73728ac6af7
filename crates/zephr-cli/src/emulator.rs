//! `zephr emulator`: the local Admin API emulator in the foreground.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Args;
use zephr_emulator::{
    BackgroundEmulator, Config, DEMO_ACCESS_KEY, DEMO_SECRET_KEY, DeliveryConfig, FaultConfig,
};

/// Arguments of `zephr emulator`.
#[derive(Debug, Args)]
pub struct EmulatorArgs {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// JSON file of accepted key pairs: [{"access_key": "...", "secret_key": "..."}]
    /// [default: the demo key pair].
    #[arg(long, value_name = "FILE")]
    keys: Option<PathBuf>,
    /// Seconds a request timestamp may be from the emulator's clock.
    #[arg(long, default_value_t = 300)]
    window_secs: u64,
    /// The largest request body accepted, in bytes (larger ones get 413).
    #[arg(long, default_value_t = 1024 * 1024)]
    max_body_bytes: usize,
    /// The most unexpired nonces kept; past it new requests get 503 with Retry-After.
    #[arg(long, default_value_t = 1_000_000)]
    max_nonces: usize,
    /// The most connections served at once; more are answered 503 at once.
    #[arg(long, default_value_t = 512)]
    max_connections: usize,
    /// Milliseconds a connection may take to send a request head (from its
    /// opening or its previous answer).
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..))]
    header_timeout_ms: u64,
    /// Milliseconds a request body may take once the head is in (then 408).
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..))]
    body_timeout_ms: u64,
    /// Milliseconds a connection may move no byte while no request is handled.
    #[arg(long, default_value_t = 30_000, value_parser = clap::value_parser!(u64).range(1..))]
    idle_timeout_ms: u64,
    /// Share of signed requests answered 429 with Retry-After (0 to 1).
    #[arg(long, default_value_t = 0.0)]
    fault_429: f64,
    /// Share of signed requests answered 503 (0 to 1).
    #[arg(long, default_value_t = 0.0)]
    fault_503: f64,
    /// Share of signed requests answered 200 with a malformed body (0 to 1).
    #[arg(long, default_value_t = 0.0)]
    fault_malformed: f64,
    /// Milliseconds of delay before every answer.
    #[arg(long, default_value_t = 0)]
    delay_ms: u64,
    /// Retry-After seconds of injected 429 and 503 answers.
    #[arg(long, default_value_t = 1)]
    retry_after: u64,
    /// Do not print a line per request.
    #[arg(long)]
    quiet: bool,
    /// Milliseconds before each retry of a failed webhook delivery, comma-separated
    /// ("" for no retries).
    #[arg(long, value_name = "MS,MS,...", default_value = "500,2000,8000")]
    webhook_retries: String,
}

fn retry_delays(text: &str) -> Result<Vec<u64>, String> {
    text.split(',')
        .map(str::trim)
        .filter(|ms| !ms.is_empty())
        .map(|ms| {
            ms.parse()
                .map_err(|_| "--webhook-retries takes comma-separated milliseconds".to_owned())
        })
        .collect()
}

fn rate(name: &str, value: f64) -> Result<f64, String> {
    if (0.0..=1.0).contains(&value) {
        Ok(value)
    } else {
        Err(format!("--{name} must be between 0 and 1"))
    }
}

fn config(args: &EmulatorArgs) -> Result<Config, String> {
    let mut config = Config {
        port: args.port,
        timestamp_window: Duration::from_secs(args.window_secs),
        max_body_bytes: args.max_body_bytes,
        max_nonces: args.max_nonces,
        max_connections: args.max_connections,
        header_timeout: Duration::from_millis(args.header_timeout_ms),
        body_timeout: Duration::from_millis(args.body_timeout_ms),
        idle_timeout: Duration::from_millis(args.idle_timeout_ms),
        faults: FaultConfig {
            rate_429: rate("fault-429", args.fault_429)?,
            rate_503: rate("fault-503", args.fault_503)?,
            rate_malformed: rate("fault-malformed", args.fault_malformed)?,
            delay: Duration::from_millis(args.delay_ms),
            retry_after_secs: args.retry_after,
        },
        log_requests: !args.quiet,
        webhook_delivery: DeliveryConfig {
            retry_delays_ms: retry_delays(&args.webhook_retries)?,
        },
        ..Config::default()
    };
    if let Some(path) = &args.keys {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read key file {}: {e}", path.display()))?;
        config.keys = zephr_emulator::load_keys(&text).map_err(|e| e.to_string())?;
    }
    Ok(config)
}

pub fn run(args: EmulatorArgs) -> ExitCode {
    let config = match config(&args) {
        Ok(config) => config,
        Err(message) => return crate::fail(&message),
    };
    let keys: Vec<String> = config
        .keys
        .iter()
        .map(|k| k.access_key().to_owned())
        .collect();
    let emulator = match BackgroundEmulator::spawn(config) {
        Ok(emulator) => emulator,
        Err(e) => return crate::fail(&e.to_string()),
    };
    let url = emulator.base_url();
    let mut banner = format!("Zephr Admin API emulator listening on {url}\n");
    if args.keys.is_some() {
        banner.push_str(&format!("Accepted access keys: {}\n", keys.join(", ")));
    } else {
        banner.push_str(&format!(
            "Demo key pair (made up, for local use only):\n  export ZEPHR_BASE_URL={url}\n  export ZEPHR_ACCESS_KEY={DEMO_ACCESS_KEY}\n  export ZEPHR_SECRET_KEY={DEMO_SECRET_KEY}\n"
        ));
    }
    banner.push_str(&format!(
        "Try: zephr call createUser --body '{{\"identifiers\":{{\"email_address\":\"ada@example.com\"}}}}'\n\
         Per-request faults: header {}: 429 | 503 | malformed | slow=MS\n\
         Stop with Ctrl-C.",
        zephr_emulator::FAULT_HEADER
    ));
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "{banner}");
    let _ = stdout.flush();
    drop(stdout);
    emulator.wait();
    ExitCode::SUCCESS
}
