//! The async client's overhead per call against a bare reqwest request to the
//! same loopback server (keep-alive, one connection, sequential calls).
//!
//! `cargo bench -p zephr-admin-client --bench overhead`

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use zephr_admin::Credentials;
use zephr_admin::operations::users::GetUser;
use zephr_admin_client::{AsyncClient, Config};

const ROUNDS: usize = 7;

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn main() {
    let calls: usize = std::env::var("ZEPHR_BENCH_CALLS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(2_000);
    let server = common::FaultServer::start();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let client = AsyncClient::new(
        common::core(&server.base_url, Credentials::new("ak", "sk").unwrap(), 2),
        Config::default(),
    )
    .unwrap();
    let bare = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let url = format!("{}/v3/users/u-1", server.base_url);

    let (mut bare_times, mut client_times) = (Vec::new(), Vec::new());
    runtime.block_on(async {
        for round in 0..=ROUNDS {
            let start = Instant::now();
            for _ in 0..calls {
                let reply = bare.get(&url).send().await.unwrap();
                assert_eq!(reply.status(), 200);
                reply.bytes().await.unwrap();
            }
            let bare_elapsed = start.elapsed() / calls as u32;

            let start = Instant::now();
            for _ in 0..calls {
                let user = client
                    .users()
                    .get(GetUser {
                        user_id: "u-1".into(),
                    })
                    .await
                    .unwrap();
                assert_eq!(user.user_id.as_deref(), Some("u-1"));
            }
            let client_elapsed = start.elapsed() / calls as u32;
            // Round 0 warms the connection pools.
            eprintln!("round {round}: bare {bare_elapsed:?}, client {client_elapsed:?}");
            if round > 0 {
                bare_times.push(bare_elapsed);
                client_times.push(client_elapsed);
            }
        }
    });
    let (bare, client) = (median(bare_times), median(client_times));
    println!("calls per round: {calls}, rounds: {ROUNDS} (median of rounds)");
    println!(
        "bare reqwest GET + body:        {:>8.1} µs/call",
        bare.as_secs_f64() * 1e6
    );
    println!(
        "AsyncClient typed call:         {:>8.1} µs/call",
        client.as_secs_f64() * 1e6
    );
    println!(
        "overhead:                       {:>8.1} µs/call ({:.2}×)",
        (client.as_secs_f64() - bare.as_secs_f64()) * 1e6,
        client.as_secs_f64() / bare.as_secs_f64()
    );
}
