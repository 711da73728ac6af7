//! Lists a user's account memberships and every account, page by page.
//!
//! ```sh
//! ZEPHR_TENANT=news ZEPHR_ACCESS_KEY=... ZEPHR_SECRET_KEY=... \
//!   cargo run -p zephr-example-ureq -- <user_id>
//! ```
//! `ZEPHR_BASE_URL` (e.g. a local emulator) replaces `ZEPHR_TENANT`.

use std::process::ExitCode;

use zephr_admin::{BaseUrl, Credentials};
use zephr_example_ureq::{all_accounts, client, memberships};

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
    let client = client(credentials, base_url).map_err(|e| e.to_string())?;

    if let Some(user_id) = std::env::args().nth(1) {
        for membership in memberships(&client, &user_id).map_err(|e| e.to_string())? {
            println!(
                "{}",
                serde_json::to_string(&membership).map_err(|e| e.to_string())?
            );
        }
    }
    let accounts = all_accounts(&client, 50).map_err(|e| e.to_string())?;
    println!("{} accounts", accounts.len());
    Ok(())
}
