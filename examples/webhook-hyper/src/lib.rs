//! A Zephr webhook receiver on hyper: every request's `Authorization` header
//! and raw body go to [`WebhookVerifier::verify`]; verified events are handed
//! to a callback, refusals answered 401 (credentials) or 400 (body, staleness).

use std::convert::Infallible;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use zephr_admin::webhook::{WebhookError, WebhookEvent, WebhookVerifier};

/// The largest body read (Zephr's envelopes are small).
const MAX_BODY: usize = 256 * 1024;

/// What the receiver reports for each delivery.
pub type Outcome = Result<WebhookEvent, WebhookError>;

/// Serves deliveries on `listener` until the task is dropped, calling
/// `on_delivery` with each outcome.
pub async fn serve<F>(listener: TcpListener, verifier: WebhookVerifier, on_delivery: F)
where
    F: Fn(Outcome) + Send + Sync + 'static,
{
    let shared = Arc::new((verifier, on_delivery));
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let shared = Arc::clone(&shared);
        tokio::spawn(async move {
            let service = service_fn(move |request| {
                let shared = Arc::clone(&shared);
                async move { Ok::<_, Infallible>(handle(request, &shared.0, &shared.1).await) }
            });
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

async fn handle(
    request: Request<Incoming>,
    verifier: &WebhookVerifier,
    on_delivery: &(impl Fn(Outcome) + Send + Sync),
) -> Response<Full<Bytes>> {
    let authorization = request
        .headers()
        .get(hyper::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    // The raw bytes, exactly as sent: never a re-serialised JSON value.
    let body = match Limited::new(request.into_body(), MAX_BODY).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => return reply(StatusCode::PAYLOAD_TOO_LARGE),
    };
    let now = i64::try_from(zephr_admin::env::system_now_ms()).unwrap_or(i64::MAX);
    let outcome = verifier.verify(authorization.as_deref(), &body, now);
    let status = match &outcome {
        Ok(_) => StatusCode::NO_CONTENT,
        Err(WebhookError::InvalidBody(_) | WebhookError::StaleEvent { .. }) => {
            StatusCode::BAD_REQUEST
        }
        Err(_) => StatusCode::UNAUTHORIZED,
    };
    on_delivery(outcome);
    reply(status)
}

fn reply(status: StatusCode) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::new()));
    *response.status_mut() = status;
    response
}
