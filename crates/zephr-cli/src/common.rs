//! Arguments shared by several subcommands.

use clap::Args;
use zephr_admin::{BaseUrl, Client, Credentials, Env};

/// The key pair, from flags or the environment.
#[derive(Debug, Args)]
pub struct CredentialArgs {
    /// Access key of the key pair.
    #[arg(long, env = "ZEPHR_ACCESS_KEY")]
    pub access_key: String,
    /// Secret key of the key pair (prefer the environment variable).
    #[arg(long, env = "ZEPHR_SECRET_KEY", hide_env_values = true)]
    pub secret_key: String,
}

impl CredentialArgs {
    pub fn credentials(&self) -> Result<Credentials, String> {
        Credentials::new(self.access_key.as_str(), self.secret_key.as_str())
            .map_err(|e| e.to_string())
    }
}

/// Where requests go and how they are signed.
#[derive(Debug, Args)]
pub struct TargetArgs {
    #[command(flatten)]
    pub credentials: CredentialArgs,
    /// Tenant id: requests go to https://{tenant}.api.zephr.com.
    #[arg(long, env = "ZEPHR_TENANT", conflicts_with = "base_url")]
    pub tenant: Option<String>,
    /// Any http(s):// base URL (the emulator, a proxy).
    #[arg(long, env = "ZEPHR_BASE_URL")]
    pub base_url: Option<String>,
    /// Milliseconds added to the local clock when signing.
    #[arg(long, default_value_t = 0, allow_hyphen_values = true)]
    pub clock_offset_ms: i64,
}

impl TargetArgs {
    pub fn client(&self) -> Result<Client, String> {
        let base_url = match (&self.tenant, &self.base_url) {
            (Some(tenant), _) => BaseUrl::tenant(tenant),
            (None, Some(url)) => BaseUrl::parse(url),
            (None, None) => {
                return Err(
                    "give --tenant or --base-url (or ZEPHR_TENANT / ZEPHR_BASE_URL)".into(),
                );
            }
        }
        .map_err(|e| e.to_string())?;
        Ok(Client::new(self.credentials.credentials()?, base_url)
            .with_clock_offset_ms(self.clock_offset_ms))
    }
}

/// How each request of a command is attempted.
#[derive(Debug, Args)]
pub struct AttemptArgs {
    /// Retries after the first attempt of each request, for the failures the core retries.
    #[arg(long, default_value_t = 2)]
    pub max_retries: u32,
    /// Seconds before one attempt is given up.
    #[arg(long, default_value_t = 30)]
    pub timeout: u64,
}

/// A fixed or fresh signing moment and nonce.
#[derive(Debug, Args)]
pub struct EnvArgs {
    /// Milliseconds since the Unix epoch [default: now].
    #[arg(long)]
    pub timestamp: Option<String>,
    /// Unique nonce [default: 128 random bits as hex].
    #[arg(long, allow_hyphen_values = true)]
    pub nonce: Option<String>,
}

impl EnvArgs {
    pub fn env(&self) -> Result<Env, String> {
        let now_ms = match &self.timestamp {
            Some(text) => zephr_admin::env::parse_timestamp(text).map_err(|e| e.to_string())?,
            None => zephr_admin::env::system_now_ms(),
        };
        let nonce = match &self.nonce {
            Some(nonce) => nonce.clone(),
            None => zephr_admin::env::random_nonce().map_err(|e| e.to_string())?,
        };
        Ok(Env::new(now_ms, nonce))
    }
}

/// The candidate closest to `word`, if one is close enough to be a likely
/// misspelling (for "did you mean").
pub fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let word = word.to_ascii_lowercase();
    candidates
        .into_iter()
        .map(|c| {
            (
                strsim::damerau_levenshtein(&word, &c.to_ascii_lowercase()),
                c,
            )
        })
        .filter(|(distance, c)| *distance <= (c.len() / 3).max(2))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, c)| c)
}
