//! The shared signing vectors, through the raw signer and through `Client::prepare`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

// Under wasm32, `#[test]` is wasm-bindgen-test's: the tests run in Node (scripts/wasm-tests.sh).
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use serde::Deserialize;
use zephr_admin::signing::{SignableRequest, sign};
use zephr_admin::{BaseUrl, Body, Client, Credentials, Env, Request};

#[derive(Deserialize)]
struct File {
    vectors: Vec<Vector>,
    contrast: Vec<Contrast>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Vector {
    id: String,
    access_key: String,
    secret_key: String,
    method: String,
    path: String,
    query: String,
    body: String,
    timestamp: String,
    nonce: String,
    #[serde(rename = "sha256_hex")]
    sha256_hex: String,
    authorization: String,
}

#[derive(Deserialize)]
struct Contrast {
    id: String,
    #[serde(rename = "sha256_hex")]
    sha256_hex: String,
}

fn vectors() -> File {
    serde_json::from_str(include_str!("../../../tests/vectors/signing.json"))
        .expect("vector file parses")
}

#[test]
fn every_vector_signs_byte_for_byte() {
    let file = vectors();
    assert_eq!(file.vectors.len(), 7);
    for v in &file.vectors {
        let credentials = Credentials::new(&v.access_key, &v.secret_key).unwrap();
        let request = SignableRequest {
            method: &v.method,
            path: &v.path,
            query: &v.query,
            body: v.body.as_bytes(),
        };
        let signature = sign(
            &credentials,
            &request,
            v.timestamp.parse().unwrap(),
            &v.nonce,
        )
        .unwrap();
        assert_eq!(signature.authorization(), v.authorization, "{}", v.id);
        assert_eq!(signature.hash(), v.sha256_hex, "{}", v.id);
    }
}

/// X1 (hashing `?` + query) and X2 (true HMAC) are what the V2 inputs must NOT give.
#[test]
fn the_wrong_constructions_differ() {
    let file = vectors();
    let v2 = file
        .vectors
        .iter()
        .find(|v| v.id.starts_with("V2"))
        .unwrap();
    let wrong: Vec<&str> = file
        .contrast
        .iter()
        .filter(|c| c.id.starts_with("X1") || c.id.starts_with("X2"))
        .map(|c| c.sha256_hex.as_str())
        .collect();
    assert_eq!(wrong.len(), 2);
    assert!(!wrong.contains(&v2.sha256_hex.as_str()));
}

#[test]
fn lower_case_method_signs_as_upper_case() {
    let v = &vectors().vectors[5];
    let credentials = Credentials::new(&v.access_key, &v.secret_key).unwrap();
    let request = SignableRequest {
        method: "patch",
        path: &v.path,
        query: &v.query,
        body: v.body.as_bytes(),
    };
    let signature = sign(
        &credentials,
        &request,
        v.timestamp.parse().unwrap(),
        &v.nonce,
    )
    .unwrap();
    assert_eq!(signature.authorization(), v.authorization);
}

/// Rebuilds each vector as a structured request (query pairs, typed body) and
/// checks `prepare` produces the same header, URL and body bytes.
#[test]
fn every_vector_through_prepare() {
    for v in &vectors().vectors {
        let client = Client::new(
            Credentials::new(&v.access_key, &v.secret_key).unwrap(),
            BaseUrl::tenant("demo").unwrap(),
        );
        let mut request = Request::new(v.method.as_str(), v.path.as_str());
        for pair in v.query.split('&').filter(|p| !p.is_empty()) {
            let (name, value) = pair.split_once('=').unwrap();
            let value = value.replace("%40", "@");
            request = request.with_query(name, value);
        }
        if !v.body.is_empty() {
            let body = if v.body.starts_with('{') {
                Body::json_text(v.body.as_str()).unwrap()
            } else {
                Body::text(v.body.as_str())
            };
            request = request.with_body(body);
        }
        let env = Env::new(v.timestamp.parse().unwrap(), v.nonce.as_str());
        let prepared = client.prepare(&request, &env).unwrap();
        assert_eq!(
            prepared.header("authorization"),
            Some(v.authorization.as_str()),
            "{}",
            v.id
        );
        let expected_url = if v.query.is_empty() {
            format!("https://demo.api.zephr.com{}", v.path)
        } else {
            format!("https://demo.api.zephr.com{}?{}", v.path, v.query)
        };
        assert_eq!(prepared.url, expected_url, "{}", v.id);
        assert_eq!(prepared.body, v.body.as_bytes(), "{}", v.id);
    }
}

/// The server side: each vector's header verifies, and changing any one signed
/// part (body, path, query, method, timestamp, nonce) makes it fail.
#[test]
fn every_vector_verifies_and_any_change_breaks_it() {
    use zephr_admin::signing::ParsedAuthorization;
    for v in &vectors().vectors {
        let credentials = Credentials::new(&v.access_key, &v.secret_key).unwrap();
        let parsed = ParsedAuthorization::parse(&v.authorization).unwrap();
        assert_eq!(parsed.access_key, v.access_key);
        let body = v.body.as_bytes().to_vec();
        let request = SignableRequest {
            method: &v.method,
            path: &v.path,
            query: &v.query,
            body: &body,
        };
        assert!(parsed.verify(&credentials, &request), "{}", v.id);

        let changed_body = [body.clone(), b"x".to_vec()].concat();
        let changed_path = format!("{}x", v.path);
        let changed_query = format!("{}&x", v.query);
        let changed = [
            SignableRequest {
                body: &changed_body,
                ..request
            },
            SignableRequest {
                path: &changed_path,
                ..request
            },
            SignableRequest {
                query: &changed_query,
                ..request
            },
            SignableRequest {
                method: "HEAD",
                ..request
            },
        ];
        for wrong in &changed {
            assert!(!parsed.verify(&credentials, wrong), "{}: {wrong:?}", v.id);
        }
        let later = ParsedAuthorization {
            timestamp: "1",
            ..parsed
        };
        let other_nonce = ParsedAuthorization {
            nonce: "other",
            ..parsed
        };
        assert!(!later.verify(&credentials, &request));
        assert!(!other_nonce.verify(&credentials, &request));
        let wrong_key = Credentials::new(&v.access_key, "wrong").unwrap();
        assert!(!parsed.verify(&wrong_key, &request));
    }
    for bad in [
        "",
        "ZEPHR-HMAC-SHA256",
        "ZEPHR-HMAC-SHA256 a:b:c",
        "ZEPHR-HMAC-SHA256 a:b:c:d:e",
        "ZEPHR-HMAC-SHA256 a::c:d",
        "BLAIZE-HMAC-SHA256 a:b:c:d",
    ] {
        assert!(ParsedAuthorization::parse(bad).is_none(), "{bad}");
    }
}
