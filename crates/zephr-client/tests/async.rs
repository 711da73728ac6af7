//! The async client through the shared scenarios (each call awaited on a
//! tokio runtime), plus its `Stream`.

#![cfg(feature = "async")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Api, core, identifiers};
use futures_util::StreamExt;
use serde_json::Value;
use zephr_admin::Credentials;
use zephr_admin::operations::account::{
    CreateAccount, CreateAccountBody, ListAccounts, ListAccountsItem,
};
use zephr_admin::operations::users::{CreateUser, CreateUserBody, DeleteUser, GetUser};
use zephr_admin_client::{AsyncClient, CallError, Config};

struct OnRuntime {
    runtime: tokio::runtime::Runtime,
    client: AsyncClient,
}

impl Api for OnRuntime {
    fn get_user(&self, user_id: &str) -> Result<Value, CallError> {
        let call = self.client.users().get(GetUser {
            user_id: user_id.into(),
        });
        let user = self.runtime.block_on(async { call.await })?;
        Ok(serde_json::to_value(user).unwrap())
    }

    fn create_account(&self, name: &str) -> Result<Value, CallError> {
        let body = CreateAccountBody {
            name: Some(name.into()),
            ..Default::default()
        };
        let call = self.client.account().create(CreateAccount { body });
        self.runtime.block_on(async { call.await })
    }

    fn create_user(&self, email: &str) -> Result<String, CallError> {
        let body = CreateUserBody {
            identifiers: identifiers(email),
            ..Default::default()
        };
        let call = self.client.users().create(CreateUser { body: Some(body) });
        let created = self.runtime.block_on(async { call.await })?;
        Ok(created.data.unwrap().user_id.unwrap())
    }

    fn delete_user(&self, user_id: &str) -> Result<Value, CallError> {
        let call = self.client.users().delete(DeleteUser {
            user_id: user_id.into(),
        });
        self.runtime.block_on(async { call.await })
    }

    fn list_accounts(&self, rpp: i64) -> Vec<Result<ListAccountsItem, CallError>> {
        let request = ListAccounts {
            rpp: Some(rpp),
            ..Default::default()
        };
        let stream = self.client.account().list(request).stream();
        self.runtime.block_on(stream.collect())
    }
}

fn make(base_url: &str, credentials: Credentials, retries: u32, config: Config) -> Box<dyn Api> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let client = AsyncClient::new(core(base_url, credentials, retries), config).unwrap();
    Box::new(OnRuntime { runtime, client })
}

#[test]
fn the_async_client_survives_every_injected_fault() {
    common::fault_scenario(&make);
}

#[test]
fn the_async_client_round_trips_against_the_emulator() {
    common::emulator_scenario(&make);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_run_concurrently_from_spawned_tasks() {
    let server = common::FaultServer::start();
    let client = std::sync::Arc::new(
        AsyncClient::new(
            core(&server.base_url, Credentials::new("a", "s").unwrap(), 0),
            Config::default(),
        )
        .unwrap(),
    );
    let tasks: Vec<_> = (0..8)
        .map(|i| {
            let client = client.clone();
            tokio::spawn(async move {
                client
                    .users()
                    .get(GetUser {
                        user_id: format!("u{i}"),
                    })
                    .await
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    assert_eq!(server.seen().len(), 8);
}
