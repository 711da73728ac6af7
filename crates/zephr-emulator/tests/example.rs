//! The Rust example (a short use of the blocking client) against the
//! emulator: typed CRUD round trips, paging, retries and typed errors.

#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

use serde_json::{Map, json};
use zephr_admin::BaseUrl;
use zephr_admin::operations::account::{CreateAccount, CreateAccountBody};
use zephr_admin::operations::users::{CreateUser, CreateUserBody, DeleteUser, GetUser};
use zephr_emulator::{BackgroundEmulator, Config, Fault};
use zephr_example_ureq::{all_accounts, client, memberships};

#[test]
fn the_example_client_round_trips_against_the_emulator() {
    let emu = BackgroundEmulator::spawn(Config::default()).unwrap();
    let client = client(
        zephr_emulator::demo_credentials().unwrap(),
        BaseUrl::parse(&emu.base_url()).unwrap(),
    )
    .unwrap();

    let mut identifiers = Map::new();
    identifiers.insert("email_address".into(), json!("typed@example.com"));
    let body = Some(CreateUserBody {
        identifiers,
        ..Default::default()
    });
    let created = client.users().create(CreateUser { body }).send().unwrap();
    let user_id = created.data.unwrap().user_id.unwrap();

    let get = GetUser {
        user_id: user_id.clone(),
    };
    let user = client.users().get(get.clone()).send().unwrap();
    assert_eq!(
        user.identifiers.unwrap().email_address.as_deref(),
        Some("typed@example.com")
    );
    assert!(memberships(&client, &user_id).unwrap().is_empty());

    for i in 0..7 {
        let body = CreateAccountBody {
            name: Some(format!("Account {i}")),
            ..Default::default()
        };
        client
            .account()
            .create(CreateAccount { body })
            .send()
            .unwrap();
    }
    // One page is retried through an injected 503.
    emu.inject(
        Fault::Unavailable {
            retry_after_secs: 0,
        },
        1,
    );
    let before = emu.requests_served();
    let accounts = all_accounts(&client, 3).unwrap();
    assert_eq!(accounts.len(), 7);
    assert_eq!(accounts[6].name.as_deref(), Some("Account 6"));
    assert_eq!(emu.requests_served() - before, 4);

    let delete = DeleteUser {
        user_id: user_id.clone(),
    };
    client.users().delete(delete).send().unwrap();
    let error = client.users().get(get).send().unwrap_err();
    assert_eq!(error.code(), "not_found");
}
