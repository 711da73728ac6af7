//! Lists a user's account memberships and every account, page by page.
//!
//! ```sh
//! ZEPHR_TENANT=news ZEPHR_ACCESS_KEY=... ZEPHR_SECRET_KEY=... \
//!   cargo run -p zephr-example-ureq -- <user_id>
//! ```
//! `ZEPHR_BASE_URL` (e.g. a local emulator) replaces `ZEPHR_TENANT`.

use std::process::ExitCode;
use std::time::Duration;

use zephr_admin::operations::account::ListAccounts;
use zephr_admin::operations::users::ListUserAccounts;
use zephr_admin::{BaseUrl, Client, Credentials, Operation};
use zephr_example_ureq::{agent, call, collect_pages};

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let var = |name: &str| std::env::var(name).map_err(|_| format!("set {name}"));
    let base_url = match std::env::var("ZEPHR_BASE_URL") {
        Ok(url) => BaseUrl::parse(&url),
        Err(_) => BaseUrl::tenant(&var("ZEPHR_TENANT")?),
    }
    .map_err(|e| e.to_string())?;
    let credentials = Credentials::new(var("ZEPHR_ACCESS_KEY")?, var("ZEPHR_SECRET_KEY")?)
        .map_err(|e| e.to_string())?;
    let client = Client::new(credentials, base_url);
    let agent = agent(Duration::from_secs(30));

    if let Some(user_id) = std::env::args().nth(1) {
        let memberships =
            call(&agent, &client, &ListUserAccounts { user_id }).map_err(|e| e.to_string())?;
        println!(
            "{}",
            serde_json::to_string_pretty(&memberships).map_err(|e| e.to_string())?
        );
    }
    let first = ListAccounts {
        rpp: Some(50),
        ..Default::default()
    }
    .to_request()
    .map_err(|e| e.to_string())?;
    let accounts = collect_pages(&agent, &client, first).map_err(|e| e.to_string())?;
    println!("{} accounts", accounts.len());
    Ok(())
}
