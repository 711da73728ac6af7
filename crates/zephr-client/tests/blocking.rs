//! The blocking client through the shared scenarios.

#![cfg(feature = "blocking")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Api, core, identifiers};
use serde_json::Value;
use zephr_admin::Credentials;
use zephr_admin::operations::account::{
    CreateAccount, CreateAccountBody, ListAccounts, ListAccountsItem,
};
use zephr_admin::operations::users::{CreateUser, CreateUserBody, DeleteUser, GetUser};
use zephr_admin_client::{BlockingClient, CallError, Config};

impl Api for BlockingClient {
    fn get_user(&self, user_id: &str) -> Result<Value, CallError> {
        let user = self
            .users()
            .get(GetUser {
                user_id: user_id.into(),
            })
            .send()?;
        Ok(serde_json::to_value(user).unwrap())
    }

    fn create_account(&self, name: &str) -> Result<Value, CallError> {
        let body = CreateAccountBody {
            name: Some(name.into()),
            ..Default::default()
        };
        self.account().create(CreateAccount { body }).send()
    }

    fn create_user(&self, email: &str) -> Result<String, CallError> {
        let body = CreateUserBody {
            identifiers: identifiers(email),
            ..Default::default()
        };
        let created = self
            .users()
            .create(CreateUser { body: Some(body) })
            .send()?;
        Ok(created.data.unwrap().user_id.unwrap())
    }

    fn delete_user(&self, user_id: &str) -> Result<Value, CallError> {
        self.users()
            .delete(DeleteUser {
                user_id: user_id.into(),
            })
            .send()
    }

    fn list_accounts(&self, rpp: i64) -> Vec<Result<ListAccountsItem, CallError>> {
        let request = ListAccounts {
            rpp: Some(rpp),
            ..Default::default()
        };
        self.account().list(request).iter().collect()
    }
}

fn make(base_url: &str, credentials: Credentials, retries: u32, config: Config) -> Box<dyn Api> {
    Box::new(BlockingClient::new(core(base_url, credentials, retries), config).unwrap())
}

#[test]
fn the_blocking_client_survives_every_injected_fault() {
    common::fault_scenario(&make);
}

#[test]
fn the_blocking_client_round_trips_against_the_emulator() {
    common::emulator_scenario(&make);
}

#[test]
fn a_user_agent_with_a_line_break_is_refused() {
    let core = core("http://127.0.0.1:9", Credentials::new("a", "s").unwrap(), 0);
    let error =
        BlockingClient::new(core, Config::default().user_agent("x\r\nevil: 1")).unwrap_err();
    assert!(error.to_string().contains("user agent"));
}
