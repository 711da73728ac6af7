//! The transport half of a Zephr client: send what the core prepared with
//! `ureq`, retry as the core decides, page as the core decides.

use std::time::Duration;

use zephr_admin::{
    Client, Env, Error, Operation, Outcome, Request, Response, RetryDecision, next_page,
};

/// A transport failure or a Zephr error.
#[derive(Debug)]
pub enum CallError {
    /// The request never got a response.
    Transport(ureq::Error),
    /// The core refused the input, or the API answered with an error.
    Zephr(Error),
}

impl std::fmt::Display for CallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CallError::Transport(e) => write!(f, "transport: {e}"),
            CallError::Zephr(e) => e.fmt(f),
        }
    }
}

impl From<Error> for CallError {
    fn from(e: Error) -> Self {
        CallError::Zephr(e)
    }
}

/// A `ureq` agent that hands every status back instead of failing on non-2xx.
pub fn agent(timeout: Duration) -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(timeout))
        .build()
        .into()
}

/// Sends one request, re-signing and retrying as the client's policy says.
pub fn send(
    agent: &ureq::Agent,
    client: &Client,
    request: &Request,
) -> Result<Response, CallError> {
    let mut retries = 0;
    loop {
        let prepared = client.prepare(request, &Env::from_system()?)?;
        let mut builder = ureq::http::Request::builder()
            .method(prepared.method.as_str())
            .uri(&prepared.url);
        for (name, value) in &prepared.headers {
            builder = builder.header(name, value);
        }
        let http_request = builder
            .body(prepared.body)
            .map_err(|e| CallError::Transport(e.into()))?;
        let outcome = agent.run(http_request).and_then(|mut reply| {
            let headers = reply
                .headers()
                .iter()
                .map(|(k, v)| {
                    (
                        k.to_string(),
                        String::from_utf8_lossy(v.as_bytes()).into_owned(),
                    )
                })
                .collect();
            let body = reply.body_mut().read_to_vec()?;
            Ok(Response::new(reply.status().as_u16(), headers, body))
        });
        let decision = match &outcome {
            Ok(response) if response.is_success() => RetryDecision::Stop,
            Ok(response) => decide(client, request, Outcome::from_response(response), retries),
            Err(_) => decide(client, request, Outcome::TransportError, retries),
        };
        let RetryDecision::RetryAfter(ms) = decision else {
            return outcome.map_err(CallError::Transport);
        };
        std::thread::sleep(Duration::from_millis(ms));
        retries += 1;
    }
}

fn decide(client: &Client, request: &Request, outcome: Outcome<'_>, retries: u32) -> RetryDecision {
    // Jitter from the nonce source keeps this example free of a random-number crate.
    let jitter = zephr_admin::random_nonce()
        .ok()
        .and_then(|n| u32::from_str_radix(n.get(..8)?, 16).ok())
        .map_or(0.5, |x| f64::from(x) / f64::from(u32::MAX));
    client.retry_policy().decide(
        request.method(),
        &outcome,
        retries,
        jitter,
        zephr_admin::system_now_ms(),
    )
}

/// Calls a typed operation and decodes its answer.
pub fn call<O: Operation>(
    agent: &ureq::Agent,
    client: &Client,
    operation: &O,
) -> Result<O::Output, CallError> {
    let response = send(agent, client, &operation.to_request()?)?;
    Ok(O::parse_response(&response)?)
}

/// Every element of a `page`/`rpp` list, page after page.
pub fn collect_pages(
    agent: &ureq::Agent,
    client: &Client,
    first: Request,
) -> Result<Vec<serde_json::Value>, CallError> {
    let mut items = Vec::new();
    let mut request = Some(first);
    while let Some(current) = request {
        let body: serde_json::Value = send(agent, client, &current)?.decode()?;
        let list: zephr_admin::List<serde_json::Value> = serde_json::from_value(body.clone())
            .map_err(|e| {
                Error::Decode(zephr_admin::DecodeError {
                    status: 200,
                    message: e.to_string(),
                    body: body.to_string().into_bytes(),
                })
            })?;
        items.extend(list.items);
        request = next_page(&current, &body);
    }
    Ok(items)
}
