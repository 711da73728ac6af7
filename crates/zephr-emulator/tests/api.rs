//! Routing, validation, the stateful resources and the documented samples,
//! over real HTTP.

#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use common::{Emu, start};
use serde_json::{Value, json};
use zephr_admin::pagination::next_page;
use zephr_admin::{BaseUrl, Client, Env, Request};

fn created_user(emu: &Emu, email: &str) -> String {
    let answer = emu.json(
        "POST",
        "/v3/users",
        "",
        &json!({"identifiers": {"email_address": email}, "attributes": {"first_name": "Ada"}}),
    );
    assert_eq!(
        answer.status,
        201,
        "{}",
        String::from_utf8_lossy(&answer.body)
    );
    answer.json()["data"]["user_id"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn created_account(emu: &Emu, name: &str, seats: u64) -> String {
    let answer = emu.json(
        "POST",
        "/v3/accounts",
        "",
        &json!({"name": name, "number_of_seats": seats}),
    );
    assert_eq!(answer.status, 201);
    answer.json()["account_id"].as_str().unwrap().to_owned()
}

#[test]
fn unknown_routes_wrong_methods_and_invalid_requests() {
    let emu = start();
    let answer = emu.signed("GET", "/v3/no-such-thing", "", b"");
    assert_eq!(answer.status, 404);
    assert!(
        answer.json()["message"]
            .as_str()
            .unwrap()
            .contains("/v3/no-such-thing")
    );
    let answer = emu.signed("PATCH", "/v3/accounts", "", b"");
    assert_eq!(answer.status, 405);
    assert_eq!(answer.header("allow"), Some("GET, POST"));
    // Missing body (createAccount is one of the four operations whose body the
    // reference requires), invalid JSON, a body where none is taken.
    let answer = emu.signed("POST", "/v3/accounts", "", b"");
    assert_eq!(answer.status, 400);
    assert!(
        answer.json()["message"]
            .as_str()
            .unwrap()
            .contains("needs a json request body")
    );
    let answer = emu.signed("POST", "/v3/users", "", b"{\"identifiers\":");
    assert_eq!(answer.status, 400);
    assert!(
        answer.json()["message"]
            .as_str()
            .unwrap()
            .contains("not JSON")
    );
    let answer = emu.signed("GET", "/v3/products", "", b"{}");
    assert_eq!(answer.status, 400);
    // A required query parameter.
    let answer = emu.signed("GET", "/v3/user-export", "appIds=a", b"");
    assert_eq!(answer.status, 400);
    assert!(
        answer.json()["message"]
            .as_str()
            .unwrap()
            .contains("'attributes'")
    );
    assert_eq!(
        emu.signed("GET", "/v3/user-export", "appIds=a&attributes=true", b"")
            .status,
        200
    );
    // `attributes` is documented as a boolean.
    assert_eq!(
        emu.signed("GET", "/v3/user-export", "appIds=a&attributes=b", b"")
            .status,
        400
    );
    // Numbers where numbers are documented.
    assert_eq!(
        emu.signed("GET", "/v3/accounts", "rpp=lots", b"").status,
        400
    );
    assert_eq!(emu.signed("GET", "/v3/accounts", "page=0", b"").status, 400);
    // Broken escapes.
    assert_eq!(emu.signed("GET", "/v3/users/%E2%28", "", b"").status, 400);
    // The unsigned token endpoint answers without a signature.
    let answer = emu.raw(
        "POST",
        "/zephr/oauth2/token",
        "",
        &[],
        br#"{"grant_type":"refresh_token"}"#,
    );
    assert_ne!(answer.status, 401);
}

#[test]
fn users_crud() {
    let emu = start();
    let id = created_user(&emu, "joe@example.com");
    assert_eq!(id.len(), 36, "a UUID: {id}");
    let duplicate = emu.json(
        "POST",
        "/v3/users",
        "",
        &json!({"identifiers": {"email_address": "joe@example.com"}}),
    );
    assert_eq!(duplicate.status, 409);
    assert_eq!(
        emu.json("POST", "/v3/users", "", &json!({"identifiers": {}}))
            .status,
        400
    );
    assert_eq!(
        emu.json("POST", "/v3/users", "", &json!(["not", "an", "object"]))
            .status,
        400
    );
    let other = created_user(&emu, "ann@example.com");

    let user = emu
        .signed("GET", &format!("/v3/users/{id}"), "", b"")
        .json();
    assert_eq!(user["identifiers"]["email_address"], "joe@example.com");
    assert_eq!(user["attributes"]["first_name"], "Ada");

    let found = emu
        .signed(
            "GET",
            "/v3/users",
            "identifiers.email_address=ann%40example.com",
            b"",
        )
        .json();
    assert_eq!(found["results"].as_array().unwrap().len(), 1);
    assert_eq!(found["results"][0]["user_id"], other.as_str());
    let all = emu.signed("GET", "/v3/users", "", b"").json();
    assert_eq!(all["results"].as_array().unwrap().len(), 2);
    let none = emu
        .signed(
            "GET",
            "/v3/users",
            "identifiers.email_address=zed%40example.com",
            b"",
        )
        .json();
    assert_eq!(none, json!({"results": []}));

    let path = format!("/v3/users/{id}/attributes");
    assert_eq!(
        emu.json("PATCH", &path, "", &json!({"surname": "Lovelace"}))
            .status,
        200
    );
    let user = emu
        .signed("GET", &format!("/v3/users/{id}"), "", b"")
        .json();
    assert_eq!(
        user["attributes"],
        json!({"first_name": "Ada", "surname": "Lovelace"})
    );
    assert_eq!(
        emu.json("PUT", &path, "", &json!({"nickname": "A"})).status,
        200
    );
    let user = emu
        .signed("GET", &format!("/v3/users/{id}"), "", b"")
        .json();
    assert_eq!(user["attributes"], json!({"nickname": "A"}));

    assert_eq!(
        emu.signed("DELETE", &format!("/v3/users/{id}"), "", b"")
            .status,
        200
    );
    assert_eq!(
        emu.signed("GET", &format!("/v3/users/{id}"), "", b"")
            .status,
        404
    );
    assert_eq!(
        emu.signed("DELETE", &format!("/v3/users/{id}"), "", b"")
            .status,
        404
    );
    assert_eq!(emu.json("PATCH", &path, "", &json!({"a": 1})).status, 404);
}

#[test]
fn accounts_page_through_with_the_core_paginator() {
    let emu = start();
    for i in 0..23 {
        created_account(&emu, &format!("Account {i:02}"), 5);
    }
    let client = Client::new(
        zephr_emulator::demo_credentials().unwrap(),
        BaseUrl::parse(&emu.server.base_url()).unwrap(),
    );
    let mut request = Some(Request::get("/v3/accounts").with_query("rpp", "10"));
    let mut pages = Vec::new();
    while let Some(current) = request {
        let prepared = client
            .prepare(&current, &Env::from_system().unwrap())
            .unwrap();
        let (path, query) = prepared
            .url
            .trim_start_matches(&emu.server.base_url())
            .split_once('?')
            .unwrap();
        let answer = emu.raw(
            "GET",
            path,
            query,
            &[("authorization", prepared.header("authorization").unwrap())],
            b"",
        );
        assert_eq!(answer.status, 200);
        let body = answer.json();
        assert_eq!(body["total"], 23);
        pages.push(body["results"].as_array().unwrap().len());
        request = next_page(&current, &body);
    }
    assert_eq!(pages, vec![10, 10, 3]);
    let names: Vec<Value> = emu
        .signed("GET", "/v3/accounts", "rpp=2&page=3", b"")
        .json()["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].clone())
        .collect();
    assert_eq!(names, vec![json!("Account 04"), json!("Account 05")]);
    let search = emu
        .signed("GET", "/v3/accounts", "search=account%2022", b"")
        .json();
    assert_eq!(search["total"], 1);
    // Past the end: an empty page.
    assert_eq!(
        emu.signed("GET", "/v3/accounts", "page=9", b"").json()["results"],
        json!([])
    );
}

#[test]
fn accounts_and_account_users_crud() {
    let emu = start();
    let account = created_account(&emu, "Acme", 1);
    assert_eq!(
        emu.json("POST", "/v3/accounts", "", &json!({"number_of_seats": 1}))
            .status,
        400
    );
    let got = emu
        .signed("GET", &format!("/v3/accounts/{account}"), "", b"")
        .json();
    assert_eq!(
        (got["name"].as_str(), got["account_id"].as_str()),
        (Some("Acme"), Some(account.as_str()))
    );
    let update = emu.json(
        "PUT",
        &format!("/v3/accounts/{account}"),
        "",
        &json!({"name": "Acme Ltd", "number_of_seats": 1}),
    );
    assert_eq!(update.status, 201, "documented as 201");
    assert_eq!(
        emu.signed("GET", &format!("/v3/accounts/{account}"), "", b"")
            .json()["name"],
        "Acme Ltd"
    );

    let (joe, ann) = (
        created_user(&emu, "joe@acme.test"),
        created_user(&emu, "ann@acme.test"),
    );
    let member = |user: &str| format!("/v3/accounts/{account}/users/{user}");
    assert_eq!(emu.signed("PUT", &member(&joe), "", b"").status, 201);
    assert_eq!(
        emu.signed("PUT", &member(&joe), "", b"").status,
        200,
        "already a member"
    );
    let full = emu.signed("PUT", &member(&ann), "", b"");
    assert_eq!(full.status, 409, "one seat only");
    assert_eq!(
        emu.signed("PUT", &member("no-such-user"), "", b"").status,
        404
    );
    let users = emu
        .signed("GET", &format!("/v3/accounts/{account}/users"), "", b"")
        .json();
    assert_eq!(users, json!([{"user_id": joe, "account_id": account}]));
    assert_eq!(emu.signed("GET", &member(&joe), "", b"").status, 200);
    assert_eq!(emu.signed("GET", &member(&ann), "", b"").status, 404);
    let memberships = emu
        .signed("GET", &format!("/v3/users/{joe}/accounts"), "", b"")
        .json();
    assert_eq!(memberships["results"][0]["account_id"], account.as_str());
    assert_eq!(emu.signed("DELETE", &member(&joe), "", b"").status, 200);
    assert_eq!(
        emu.signed("PUT", &member(&ann), "", b"").status,
        201,
        "the seat is free again"
    );

    assert_eq!(
        emu.signed("DELETE", &format!("/v3/accounts/{account}"), "", b"")
            .status,
        200
    );
    assert_eq!(
        emu.signed("GET", &format!("/v3/accounts/{account}"), "", b"")
            .status,
        404
    );
    assert_eq!(
        emu.signed("GET", &format!("/v3/users/{ann}/accounts"), "", b"")
            .json()["results"],
        json!([])
    );
}

#[test]
fn products_entitlements_and_grants() {
    let emu = start();
    let entitlement = emu.json(
        "POST",
        "/v3/entitlements",
        "",
        &json!({"label": "Gold", "description": "All articles"}),
    );
    assert_eq!(entitlement.status, 201);
    let entitlement_id = entitlement.json()["id"].as_str().unwrap().to_owned();
    assert_eq!(
        emu.signed("GET", "/v3/entitlements", "", b"").json()["results"][0]["label"],
        "Gold"
    );
    assert_eq!(
        emu.json(
            "POST",
            "/v3/entitlements",
            "",
            &json!({"description": "no label"})
        )
        .status,
        400
    );

    let product = emu.json("POST", "/v3/products", "", &json!({"id": "gold", "label": "Gold", "entitlement": {"id": entitlement_id, "type": "bundle"}}));
    assert_eq!(product.status, 201);
    assert_eq!(product.json()["message"], "Product created successfully");
    assert!(
        product.json()["uri"]
            .as_str()
            .unwrap()
            .ends_with("/v3/products/gold")
    );
    assert_eq!(
        emu.json(
            "POST",
            "/v3/products",
            "",
            &json!({"id": "gold", "label": "Again"})
        )
        .status,
        409
    );
    let got = emu.signed("GET", "/v3/products/gold", "", b"").json();
    assert_eq!(
        (got["id"].as_str(), got["label"].as_str()),
        (Some("gold"), Some("Gold"))
    );
    let update = emu.json(
        "PUT",
        "/v3/products/gold",
        "",
        &json!({"label": "Gold+", "entitlement": {"id": entitlement_id, "type": "bundle"}}),
    );
    assert_eq!(update.status, 200);
    assert_eq!(
        emu.signed("GET", "/v3/products", "", b"").json()["results"][0]["label"],
        "Gold+"
    );

    let user = created_user(&emu, "reader@example.com");
    let grants = format!("/v3/users/{user}/grants");
    let grant = emu.json(
        "POST",
        &grants,
        "",
        &json!({"product_id": "gold", "startTime": "2020-01-01 00:00:00"}),
    );
    assert_eq!(
        grant.status,
        201,
        "{}",
        String::from_utf8_lossy(&grant.body)
    );
    let grant = grant.json();
    assert_eq!(grant["entitlement_id"], entitlement_id.as_str());
    assert_eq!(grant["expiry_state"], "active");
    let grant_id = grant["grant_id"].as_str().unwrap().to_owned();
    assert_eq!(
        emu.json("POST", &grants, "", &json!({"product_id": "gold"}))
            .status,
        409
    );
    assert_eq!(
        emu.json("POST", &grants, "", &json!({"product_id": "nope"}))
            .status,
        400
    );
    assert_eq!(
        emu.json(
            "POST",
            &grants,
            "",
            &json!({"entitlement_id": "e", "startTime": "tomorrow"})
        )
        .status,
        400
    );
    let future = emu.json(
        "POST",
        &grants,
        "",
        &json!({"entitlement_id": "later", "startTime": "2999-01-01 00:00:00"}),
    );
    assert_eq!(future.json()["expiry_state"], "pending");

    let listed = emu.signed("GET", &grants, "", b"").json();
    assert_eq!(listed["results"].as_array().unwrap().len(), 2);
    let active = emu.signed("GET", &grants, "active=true", b"").json();
    assert_eq!(active["results"].as_array().unwrap().len(), 1);
    let sessions = emu
        .signed("GET", &format!("/v3/users/{user}/sessions"), "", b"")
        .json();
    assert_eq!(
        sessions["access_model"]["delivered_entitlements"],
        json!([entitlement_id])
    );
    assert_eq!(
        emu.signed("GET", &format!("{grants}/{grant_id}"), "", b"")
            .json()["product_id"],
        "gold"
    );
    assert_eq!(
        emu.signed("DELETE", &format!("{grants}/{grant_id}"), "", b"")
            .status,
        200
    );
    assert_eq!(
        emu.signed("GET", &format!("{grants}/{grant_id}"), "", b"")
            .status,
        404
    );
    assert_eq!(
        emu.json(
            "POST",
            "/v3/users/nobody/grants",
            "",
            &json!({"entitlement_id": "e"})
        )
        .status,
        404
    );

    // Account grants.
    let account = created_account(&emu, "Library", 10);
    let account_grants = format!("/v3/accounts/{account}/grants");
    let grant = emu.json(
        "POST",
        &account_grants,
        "",
        &json!({"entitlement_id": entitlement_id, "entitlement_type": "bundle"}),
    );
    assert_eq!(grant.status, 201);
    let grant_id = grant.json()["grantId"].as_str().unwrap().to_owned();
    let listed = emu.signed("GET", &account_grants, "", b"").json();
    assert_eq!(listed[0]["account_id"], account.as_str());
    assert_eq!(
        emu.signed("DELETE", &format!("{account_grants}/{grant_id}"), "", b"")
            .status,
        200
    );
    assert_eq!(
        emu.signed("GET", &account_grants, "", b"").json(),
        json!([])
    );

    assert_eq!(
        emu.signed("DELETE", "/v3/products/gold", "", b"").status,
        200
    );
    assert_eq!(emu.signed("GET", "/v3/products/gold", "", b"").status, 404);
    assert_eq!(
        emu.signed(
            "DELETE",
            &format!("/v3/entitlements/{entitlement_id}"),
            "",
            b""
        )
        .status,
        200
    );
    assert_eq!(
        emu.signed(
            "GET",
            &format!("/v3/entitlements/{entitlement_id}"),
            "",
            b""
        )
        .status,
        404
    );
}

/// Every operation of the catalogue, prepared by the SDK from its shared
/// sample: never 401, 404 for the route, 405 or 5xx; the operations without
/// state answer exactly the documented status and sample.
#[test]
fn every_operation_answers_as_documented() {
    let emu = start();
    let vectors: Value =
        serde_json::from_str(include_str!("../../../tests/vectors/operations.json")).unwrap();
    let stateful = [
        "createUser",
        "listWebhooks",
        "createWebhook",
        "getWebhook",
        "updateWebhook",
        "deleteWebhook",
        "listUsers",
        "getUser",
        "deleteUser",
        "updateUserAttribute",
        "replaceUserAttributes",
        "listUserAccounts",
        "listUserSessions",
        "createAccount",
        "listAccounts",
        "getAccount",
        "updateAccount",
        "deleteAccount",
        "listAccountUsers",
        "retrieveAccountUser",
        "saveAccountUser",
        "deleteAccountUser",
        "createGrants",
        "createGrant",
        "listUserGrants",
        "getAccountGrant",
        "deleteUserGrant",
        "createAccountGrant",
        "createAccountGrantV4",
        "listAccountGrants",
        "getUserGrant",
        "deleteAccountGrantById",
        "deleteAccountGrant",
        "saveProduct",
        "saveProducts",
        "listProducts",
        "getProduct",
        "deleteProduct",
        "createEntitlements",
        "createEntitlement",
        "listEntitlements",
        "getEntitlement",
        "deleteEntitlement",
    ];
    let client = Client::new(
        zephr_emulator::demo_credentials().unwrap(),
        BaseUrl::parse(&emu.server.base_url()).unwrap(),
    );
    let operations = vectors["operations"].as_array().unwrap();
    assert_eq!(operations.len(), zephr_admin::catalogue::OPERATIONS.len());
    for vector in operations {
        let id = vector["operationId"].as_str().unwrap();
        let op = zephr_admin::catalogue::find_operation(id).unwrap();
        let mut params = vector["params"].clone();
        params["body"] = vector["body"].clone();
        let request = op.request_from_json(&params).unwrap();
        let prepared = client
            .prepare(&request, &Env::from_system().unwrap())
            .unwrap();
        let target = prepared
            .url
            .trim_start_matches(&emu.server.base_url())
            .to_owned();
        let (path, query) = target.split_once('?').unwrap_or((&target, ""));
        let headers: Vec<(&str, &str)> = prepared
            .headers
            .iter()
            .filter(|(n, _)| n != "user-agent")
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        let answer = emu.raw(&prepared.method, path, query, &headers, &prepared.body);
        let text = String::from_utf8_lossy(&answer.body);
        assert!(
            ![401, 405].contains(&answer.status) && answer.status < 500,
            "{id}: {} {text}",
            answer.status
        );
        if answer.status == 404 {
            assert!(
                stateful.contains(&id) && !text.contains("no operation matches"),
                "{id}: {text}"
            );
        }
        if !stateful.contains(&id) {
            assert_eq!(
                answer.status,
                vector["response"]["status"].as_u64().unwrap() as u16,
                "{id}"
            );
            assert_eq!(answer.json(), vector["response"]["body"], "{id}");
        }
    }
}
