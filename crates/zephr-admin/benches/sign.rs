//! Signing, preparing and decoding, each beside a hand-written baseline.

#![allow(missing_docs, clippy::unwrap_used)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use zephr_admin::signing::{SignableRequest, sign};
use zephr_admin::{BaseUrl, Body, Client, Credentials, Env, List, Request, Response};

const SECRET: &str = "9b8c7d6e-5f4a-4b3c-8d2e-1f0a9b8c7d6e";
const ACCESS: &str = "a3f1c2d4-5b6e-4f70-8a9b-0c1d2e3f4a5b";
const BODY: &str = r#"{"identifiers":{"email_address":"zoe.muller@example.com"},"validators":{"password":"sup3r-s3cr3t"},"attributes":{"first_name":"Zoë","surname":"Müller","city":"東京"}}"#;

/// What integrators write by hand today: concatenate, hash, format each byte.
fn hand_written(method: &str, path: &str, query: &str, body: &str, ts: u64, nonce: &str) -> String {
    let input = format!("{SECRET}{body}{path}{query}{method}{ts}{nonce}");
    let hash: String = Sha256::digest(input.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("ZEPHR-HMAC-SHA256 {ACCESS}:{ts}:{nonce}:{hash}")
}

fn signing(c: &mut Criterion) {
    let credentials = Credentials::new(ACCESS, SECRET).unwrap();
    let request = SignableRequest {
        method: "POST",
        path: "/v3/users",
        query: "",
        body: BODY.as_bytes(),
    };
    let mut group = c.benchmark_group("sign_250B");
    group.bench_function("zephr_admin::sign", |b| {
        b.iter(|| {
            sign(
                black_box(&credentials),
                black_box(&request),
                1_700_000_001_000,
                "c56a4180-65aa-42ec-a945-5fd21dec0538",
            )
            .unwrap()
        })
    });
    group.bench_function("baseline_hand_written", |b| {
        b.iter(|| {
            hand_written(
                black_box("POST"),
                "/v3/users",
                "",
                black_box(BODY),
                1_700_000_001_000,
                "c56a4180-65aa-42ec-a945-5fd21dec0538",
            )
        })
    });
    group.finish();

    let client = Client::new(credentials, BaseUrl::tenant("demo").unwrap());
    let body = json!({"identifiers": {"email_address": "zoe.muller@example.com"}, "attributes": {"first_name": "Zoë"}});
    let env = Env::new(1_700_000_001_000, "c56a4180-65aa-42ec-a945-5fd21dec0538");
    let mut group = c.benchmark_group("prepare_json_post");
    group.bench_function("zephr_admin::Client::prepare", |b| {
        b.iter(|| {
            let request = Request::post("/v3/users/{user_id}/attributes")
                .with_path_param("user_id", "5fd2b1a4-6c0e-4f7e-9b1d-2a3c4d5e6f70")
                .with_body(Body::json(black_box(&body)).unwrap());
            client.prepare(&request, &env).unwrap()
        })
    });
    group.bench_function("baseline_hand_written", |b| {
        b.iter(|| {
            let bytes = serde_json::to_string(black_box(&body)).unwrap();
            let path = "/v3/users/5fd2b1a4-6c0e-4f7e-9b1d-2a3c4d5e6f70/attributes";
            let auth = hand_written(
                "POST",
                path,
                "",
                &bytes,
                1_700_000_001_000,
                "c56a4180-65aa-42ec-a945-5fd21dec0538",
            );
            (format!("https://demo.api.zephr.com{path}"), auth, bytes)
        })
    });
    group.finish();
}

fn decoding(c: &mut Criterion) {
    let item = r#"{"account_id":"0123456789ABCD","name":"Acme Publishing","number_of_seats":25,"tenantId":"news","attributes":{"region":"eu","tags":["a","b"]}},"#;
    let mut body = String::from("{\"results\":[");
    body.push_str(&item.repeat(1_048_576 / item.len()));
    body.pop();
    body.push_str("],\"total\":7000}");
    let response = Response::new(200, vec![], body.into_bytes());
    let mut group = c.benchmark_group("decode_1MB_list");
    group.sample_size(30);
    group.bench_function("zephr_admin::Response::decode::<List<Value>>", |b| {
        b.iter(|| black_box(&response).decode::<List<Value>>().unwrap())
    });
    group.bench_function("baseline_serde_json::from_slice::<Value>", |b| {
        b.iter(|| serde_json::from_slice::<Value>(black_box(&response.body)).unwrap())
    });
    group.finish();
}

criterion_group!(benches, signing, decoding);
criterion_main!(benches);
