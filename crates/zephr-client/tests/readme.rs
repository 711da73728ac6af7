//! The README's Rust examples, compiled. Each region between `// README: begin`
//! and `// README: end` below is one `rust` code block of the README, verbatim
//! (the test checks it, block for block), so the README shows code that builds
//! against the current API. Around each region are only the placeholders the
//! README leaves to the reader: keys, a clock, an HTTP client of your own.

#![cfg(feature = "async")]
#![allow(
    dead_code,
    unused_imports,
    unused_variables,
    clippy::unwrap_used,
    clippy::unimplemented,
    clippy::diverging_sub_expression
)]

type AnyError = Box<dyn std::error::Error>;

#[rustfmt::skip]
mod ready_client {
    use super::AnyError;

    async fn example(access_key: &str, secret_key: &str) -> Result<(), AnyError> {
        // README: begin
        use futures_util::TryStreamExt;
        use zephr_admin::operations::account::ListAccounts;
        use zephr_admin::operations::users::ListUserSessions;
        use zephr_admin::{BaseUrl, Client, Credentials};
        use zephr_admin_client::{AsyncClient, Config};

        let core = Client::new(
            Credentials::new(access_key, secret_key)?,
            BaseUrl::tenant("news")?, // or BaseUrl::parse("http://127.0.0.1:8080") for the emulator
        )
        .with_clock_offset_ms(0); // and .with_retry_policy(...) to change the retries
        let client = AsyncClient::new(core, Config::default().user_agent("my-app/1.0"))?;

        let sessions = client
            .users()
            .list_sessions(ListUserSessions { user_id: "5fd2b1a4".into() })
            .await?; // typed result, or a typed CallError (code(), api() for the API error)

        // A list operation pages as a Stream of its elements (each page signed and retried on its own).
        let accounts: Vec<_> = client
            .account()
            .list(ListAccounts { rpp: Some(100), ..Default::default() })
            .stream()
            .try_collect()
            .await?;
        // README: end
        Ok(())
    }
}

#[rustfmt::skip]
mod engine_pump {
    use super::AnyError;
    use zephr_admin::env::{random_nonce, system_now_ms as now_ms};
    use zephr_admin::operations::users::ListUserSessions;
    use zephr_admin::{Client, PreparedRequest, Response};

    type Headers = Vec<(String, String)>;

    fn send_with_your_http_client(
        _: PreparedRequest,
    ) -> Result<(u16, Headers, Vec<u8>), std::io::Error> {
        unimplemented!("the reader's HTTP client")
    }
    fn random_jitter() -> f64 {
        0.5
    }
    fn sleep(_ms: u64) {}

    fn example(core: Client) -> Result<(), AnyError> {
        // README: begin
        use zephr_admin::call::{Call, CallOptions, Engine, FailureKind, Step, TransportFailure};

        let mut call = Call::operation(&core, &ListUserSessions { user_id: "5fd2b1a4".into() }, CallOptions::default());
        let sessions = loop {
            match call.poll(&core, now_ms(), &random_nonce()?) {
                Step::Send(prepared) => {
                    // prepared.method / .url / .headers / .body: send exactly these, without redirects,
                    // reading at most call.max_response_bytes() bytes.
                    let outcome = match send_with_your_http_client(prepared) {
                        Ok((status, headers, body)) => Ok(Response::new(status, headers, body)),
                        Err(e) => Err(TransportFailure::new(FailureKind::Interrupted, e.to_string())),
                    };
                    call.handle(outcome, now_ms(), random_jitter());
                }
                Step::Wait(ms) => sleep(ms),
                Step::Output(result) => break result?,
                Step::Finished => unreachable!("a call gives one output"),
            }
        };
        // README: end
        Ok(())
    }
}

#[rustfmt::skip]
mod sign_yourself {
    fn send_with_your_http_client(_: zephr_admin::PreparedRequest) -> zephr_admin::Response {
        unimplemented!("the reader's HTTP client")
    }

    // README: begin
    use zephr_admin::{BaseUrl, Client, Credentials, Env, Error, List, Request, Response};
    use serde_json::Value;

    fn list_grants(client: &Client, user_id: &str) -> Result<List<Value>, Error> {
        let request = Request::get("/v3/users/{user_id}/grants")
            .with_path_param("user_id", user_id) // percent-encoded: always one path segment
            .with_query("active", "true");
        // System clock + a 128-bit random nonce; use Env::new(now_ms, nonce) to supply your own.
        let prepared = client.prepare(&request, &Env::from_system()?)?;
        let response: Response = send_with_your_http_client(prepared);
        response.decode() // typed result, or Error::Api / Error::Decode
    }
    // README: end
}

#[rustfmt::skip]
mod webhooks {
    fn example(
        token: &str,
        authorization: Option<&str>,
        body: Vec<u8>,
        now_ms: i64,
    ) -> Result<(), zephr_admin::webhook::WebhookError> {
        // README: begin
        use zephr_admin::webhook::{WebhookCredentials, WebhookError, WebhookVerifier};

        let verifier = WebhookVerifier::new(WebhookCredentials::bearer(token)?).with_tolerance_ms(5 * 60 * 1000);
        // authorization: Option<&str> from the request, body: the raw bytes, now: your clock (ms).
        match verifier.verify(authorization, &body, now_ms) {
            Ok(event) => match event.user() {
                Some(user) => println!("{} {}", event.event_type, user.user_id), // typed user events
                None => println!("{} {}", event.event_type, event.raw_details),  // any other event
            },
            Err(WebhookError::StaleEvent { age_ms, .. }) => { /* 400: replayed or late by age_ms */ }
            Err(e) => { /* e.code(); 401 for credential errors */ }
        }
        // README: end
        Ok(())
    }
}

/// The lines of each `// README:` region of this file, without their indentation.
fn regions(source: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current: Option<Vec<&str>> = None;
    for line in source.lines() {
        match (line.trim(), current.as_mut()) {
            ("// README: begin", None) => current = Some(Vec::new()),
            ("// README: end", Some(lines)) => {
                let indent = lines
                    .iter()
                    .filter(|l| !l.trim().is_empty())
                    .map(|l| l.len() - l.trim_start().len())
                    .min()
                    .unwrap_or(0);
                let text: Vec<&str> = lines
                    .iter()
                    .map(|l| l.get(indent..).unwrap_or(""))
                    .collect();
                out.push(text.join("\n"));
                current = None;
            }
            (_, Some(lines)) => lines.push(line),
            (_, None) => {}
        }
    }
    out
}

/// The `rust` code blocks of a Markdown text.
fn rust_blocks(markdown: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current: Option<Vec<&str>> = None;
    for line in markdown.lines() {
        match (line, current.as_mut()) {
            ("```rust", None) => current = Some(Vec::new()),
            ("```", Some(lines)) => {
                out.push(lines.join("\n"));
                current = None;
            }
            (_, Some(lines)) => lines.push(line),
            (_, None) => {}
        }
    }
    out
}

#[test]
fn every_rust_block_of_the_readme_is_compiled_here_verbatim() {
    let readme = rust_blocks(include_str!("../../../README.md"));
    let compiled = regions(include_str!("readme.rs"));
    assert!(!readme.is_empty(), "the README has Rust blocks");
    assert_eq!(
        readme.len(),
        compiled.len(),
        "one compiled region per README block"
    );
    for (block, region) in readme.iter().zip(&compiled) {
        assert_eq!(
            block, region,
            "a README block differs from the code compiled here"
        );
    }
}
