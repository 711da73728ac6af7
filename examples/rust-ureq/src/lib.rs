//! A short use of the blocking client: a user's account memberships, and
//! every account page by page. Retries, re-signing and paging all happen in
//! the call engine; there is no loop here.

use zephr_admin::operations::account::{ListAccounts, ListAccountsItem};
use zephr_admin::operations::users::{ListUserAccounts, ListUserAccountsItem};
use zephr_admin::{BaseUrl, Client, Credentials};
use zephr_admin_client::{BlockingClient, BuildError, CallError, Config};

pub use zephr_admin_client;

/// A blocking client for a base URL (the emulator, a test server) or a tenant.
pub fn client(credentials: Credentials, base_url: BaseUrl) -> Result<BlockingClient, BuildError> {
    let config = Config::default().user_agent("zephr-example-ureq/0.1");
    BlockingClient::new(Client::new(credentials, base_url), config)
}

/// The accounts a user belongs to.
pub fn memberships(
    client: &BlockingClient,
    user_id: &str,
) -> Result<Vec<ListUserAccountsItem>, CallError> {
    let request = ListUserAccounts {
        user_id: user_id.into(),
    };
    Ok(client.users().list_accounts(request).send()?.items)
}

/// Every account, `rpp` per page.
pub fn all_accounts(client: &BlockingClient, rpp: i64) -> Result<Vec<ListAccountsItem>, CallError> {
    let request = ListAccounts {
        rpp: Some(rpp),
        ..Default::default()
    };
    client.account().list(request).iter().collect()
}
