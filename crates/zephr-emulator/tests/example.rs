//! The Rust example (a ureq transport over the sans-IO core) against the
//! emulator: typed CRUD round trips, paging, retries and typed errors.

#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

use std::time::Duration;

use serde_json::{Map, json};
use zephr_admin::operations::account::{CreateAccount, CreateAccountBody, ListAccounts};
use zephr_admin::operations::users::{
    CreateUser, CreateUserBody, DeleteUser, GetUser, ListUserAccounts,
};
use zephr_admin::{BaseUrl, Client, Operation};
use zephr_emulator::{BackgroundEmulator, Config, Fault};
use zephr_example_ureq::{CallError, agent, call, collect_pages};

#[test]
fn the_example_client_round_trips_against_the_emulator() {
    let emu = BackgroundEmulator::spawn(Config::default()).unwrap();
    let client = Client::new(
        zephr_emulator::demo_credentials().unwrap(),
        BaseUrl::parse(&emu.base_url()).unwrap(),
    );
    let agent = agent(Duration::from_secs(10));

    let mut identifiers = Map::new();
    identifiers.insert("email_address".into(), json!("typed@example.com"));
    let created = call(
        &agent,
        &client,
        &CreateUser {
            body: Some(CreateUserBody {
                identifiers,
                ..Default::default()
            }),
        },
    )
    .unwrap();
    let user_id = created.data.unwrap().user_id.unwrap();

    let user = call(
        &agent,
        &client,
        &GetUser {
            user_id: user_id.clone(),
        },
    )
    .unwrap();
    assert_eq!(
        user.identifiers.unwrap().email_address.as_deref(),
        Some("typed@example.com")
    );
    let memberships = call(
        &agent,
        &client,
        &ListUserAccounts {
            user_id: user_id.clone(),
        },
    )
    .unwrap();
    assert_eq!(
        serde_json::to_value(&memberships).unwrap()["results"],
        json!([])
    );

    for i in 0..7 {
        let body = CreateAccountBody {
            name: Some(format!("Account {i}")),
            ..Default::default()
        };
        call(&agent, &client, &CreateAccount { body }).unwrap();
    }
    // Each page is retried once through an injected 503.
    emu.inject(
        Fault::Unavailable {
            retry_after_secs: 0,
        },
        1,
    );
    let first = ListAccounts {
        rpp: Some(3),
        ..Default::default()
    }
    .to_request()
    .unwrap();
    let accounts = collect_pages(&agent, &client, first).unwrap();
    assert_eq!(accounts.len(), 7);
    assert_eq!(accounts[6]["name"], "Account 6");

    call(
        &agent,
        &client,
        &DeleteUser {
            user_id: user_id.clone(),
        },
    )
    .unwrap();
    match call(&agent, &client, &GetUser { user_id }) {
        Err(CallError::Zephr(error)) => assert_eq!(error.code(), "not_found"),
        other => panic!("{other:?}"),
    }
}
