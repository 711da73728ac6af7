//! One request, start to finish, without any IO: route, authenticate, inject
//! faults, validate, then answer from the state or the documented sample.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use serde_json::json;
use zephr_admin::signing::SignableRequest;

use crate::Config;
use crate::auth::{AuthFailure, SpendRefused, Verified, Verifier};
use crate::faults::{FAULT_HEADER, Fault, Faults};
use crate::reply::Reply;
use crate::routes::{self, RouteMatch};
use crate::spec::documented;
use crate::state::{Call, Store};
use crate::util::{Rng, parse_query};
use crate::webhooks::{self, DeliveryFault, Hub};

/// A request as received.
pub(crate) struct Incoming<'a> {
    pub method: &'a str,
    /// The path exactly as sent (still percent-encoded).
    pub path: &'a str,
    /// The query exactly as sent, without `?`.
    pub query: &'a str,
    /// Lower-case names.
    pub headers: &'a [(String, String)],
    pub body: &'a [u8],
    /// `http://host:port` of this emulator.
    pub origin: &'a str,
}

impl Incoming<'_> {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// The answer and how long to wait before sending it.
pub(crate) struct Outcome {
    pub delay: Duration,
    pub reply: Reply,
}

/// Everything the connections share.
#[derive(Debug)]
pub(crate) struct Shared {
    verifier: Mutex<Verifier>,
    store: Mutex<Store>,
    faults: Mutex<Faults>,
    id_base: u64,
    served: AtomicU64,
    log_requests: bool,
    webhooks: Hub,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Shared {
    pub fn new(config: &Config) -> Self {
        let window_ms = u64::try_from(config.timestamp_window.as_millis()).unwrap_or(u64::MAX);
        Shared {
            verifier: Mutex::new(Verifier::new(&config.keys, window_ms, config.max_nonces)),
            store: Mutex::new(Store::new()),
            faults: Mutex::new(Faults::new(config.faults.clone())),
            id_base: Rng::from_entropy().next_u64() & 0xffff_ffff,
            served: AtomicU64::new(0),
            log_requests: config.log_requests,
            webhooks: Hub::new(config.webhook_delivery.clone()),
        }
    }

    /// Queues a fault for the next `times` requests.
    pub fn inject(&self, fault: Fault, times: usize) {
        lock(&self.faults).inject(fault, times);
    }

    /// The webhooks and their deliveries.
    pub fn webhooks(&self) -> &Hub {
        &self.webhooks
    }

    /// How many requests were answered.
    pub fn served(&self) -> u64 {
        self.served.load(Ordering::Relaxed)
    }

    /// Answers one request; adds the request id to every answer.
    pub fn handle(&self, request: &Incoming<'_>, now_ms: u64) -> Outcome {
        let n = self.served.fetch_add(1, Ordering::Relaxed);
        let mut outcome = self.answer(request, now_ms);
        outcome.reply = std::mem::replace(&mut outcome.reply, Reply::empty(500))
            .with_header("x-request-id", format!("emu-{:08x}-{n:06}", self.id_base));
        if self.log_requests {
            println!(
                "{} {}{}{} -> {}",
                request.method,
                request.path,
                if request.query.is_empty() { "" } else { "?" },
                request.query,
                outcome.reply.status
            );
        }
        outcome
    }

    fn answer(&self, request: &Incoming<'_>, now_ms: u64) -> Outcome {
        let now = |reply| Outcome {
            delay: Duration::ZERO,
            reply,
        };
        if let Some(reply) = self.control(request) {
            return now(reply);
        }
        let (op, params) = match routes::find(request.method, request.path) {
            RouteMatch::Found { op, params } => (op, params),
            RouteMatch::NotFound => {
                return now(Reply::not_found(format!(
                    "no operation matches {} {}",
                    request.method,
                    request.path.chars().take(200).collect::<String>()
                )));
            }
            RouteMatch::MethodNotAllowed { allowed } => {
                return now(Reply::error(
                    405,
                    "method_not_allowed",
                    format!(
                        "{} is not an operation of this path; it takes {}",
                        request.method,
                        allowed.join(", ")
                    ),
                )
                .with_header("allow", allowed.join(", ")));
            }
            RouteMatch::BadPath(message) => return now(Reply::bad_request(message)),
        };
        let doc = documented(op.id);
        let mut verified = None;
        if doc.is_none_or(|d| d.signed) {
            let signable = SignableRequest {
                method: request.method,
                path: request.path,
                query: request.query,
                body: request.body,
            };
            match lock(&self.verifier).verify(request.header("authorization"), &signable, now_ms) {
                Ok(v) => verified = Some(v),
                Err(failure) => return now(unauthorized(&failure)),
            }
        }
        let plan = match lock(&self.faults).plan(request.header(FAULT_HEADER)) {
            Ok(plan) => plan,
            Err(message) => return now(Reply::bad_request(message)),
        };
        let reply = plan
            .reply
            .unwrap_or_else(|| self.operation(op, &params, request, verified.as_ref(), now_ms));
        Outcome {
            delay: plan.delay,
            reply,
        }
    }

    fn operation(
        &self,
        op: &'static zephr_admin::catalogue::OperationSpec,
        params: &[(&'static str, String)],
        request: &Incoming<'_>,
        verified: Option<&Verified>,
        now_ms: u64,
    ) -> Reply {
        let Some(query) = parse_query(request.query) else {
            return Reply::bad_request("the query has a broken percent-escape or is not UTF-8");
        };
        let body = match routes::validate(op, &query, request.headers, request.body) {
            Ok(body) => body,
            Err(message) => return Reply::bad_request(message),
        };
        // The nonce is spent only by a request that is about to act: one
        // refused anywhere before this point can be sent again.
        if let Some(verified) = verified {
            match lock(&self.verifier).spend(verified, now_ms) {
                Ok(()) => {}
                Err(SpendRefused::Replayed(failure)) => return unauthorized(&failure),
                Err(SpendRefused::Full { retry_after_secs }) => {
                    return Reply::error(
                        503,
                        "nonce_store_full",
                        "the emulator holds as many unexpired nonces as it is configured to keep (max_nonces); try again later",
                    )
                    .with_header("retry-after", retry_after_secs.to_string());
                }
            }
        }
        let status = documented(op.id).map_or(200, |d| d.status);
        let call = Call {
            op,
            status,
            params,
            query: &query,
            body: body.as_ref(),
            origin: request.origin,
            now_ms,
        };
        let id = params
            .iter()
            .find(|(n, _)| *n == "id")
            .map_or("", |(_, v)| v.as_str());
        if let Some(reply) = self.webhooks.handle(op.id, id, body.as_ref(), status) {
            return reply;
        }
        let mut store = lock(&self.store);
        let user_id = params
            .iter()
            .find(|(n, _)| *n == "user_id")
            .map(|(_, v)| v.as_str());
        let before = user_id.and_then(|id| store.user_json(id));
        let handled = store.handle(&call);
        let after = user_id.and_then(|id| store.user_json(id));
        drop(store);
        // Sample-answered operations (sessions) raise their events too.
        let reply =
            handled.unwrap_or_else(
                || match documented(op.id).and_then(|d| d.example.as_ref()) {
                    Some(example) => Reply::json(status, example),
                    None => Reply::empty(status),
                },
            );
        if (200..300).contains(&reply.status) {
            let events =
                webhooks::events_for(op.id, params, body.as_ref(), &reply.body, after, before);
            self.webhooks.publish(events, now_ms);
        }
        reply
    }

    /// The emulator's own endpoints (unsigned, under `/__emulator/`):
    /// `GET /__emulator/webhooks/deliveries` lists deliveries;
    /// `POST /__emulator/webhooks/faults?fault=F&times=N` queues delivery faults.
    fn control(&self, request: &Incoming<'_>) -> Option<Reply> {
        let path = request.path.strip_prefix("/__emulator/")?;
        Some(match (request.method, path) {
            ("GET", "webhooks/deliveries") => {
                Reply::json(200, &json!({ "results": self.webhooks.deliveries() }))
            }
            ("POST", "webhooks/faults") => {
                let query = parse_query(request.query).unwrap_or_default();
                let get = |name: &str| {
                    query
                        .iter()
                        .find(|(n, _)| n == name)
                        .map(|(_, v)| v.as_str())
                };
                let fault = get("fault").and_then(DeliveryFault::parse);
                let times = get("times").map_or(Some(1), |t| t.parse().ok());
                match (fault, times) {
                    (Some(fault), Some(times)) => {
                        self.webhooks.inject(fault, times);
                        Reply::empty(204)
                    }
                    _ => Reply::bad_request(
                        "expected fault=drop|duplicate|wrong_credentials|no_credentials|stale=MS and times=N",
                    ),
                }
            }
            _ => Reply::not_found("unknown emulator control endpoint"),
        })
    }
}

/// 401 naming the check that failed.
fn unauthorized(failure: &AuthFailure) -> Reply {
    Reply::json(
        401,
        &json!({
            "error": "authentication_failed",
            "check": failure.check.as_str(),
            "message": format!("{} check failed: {}", failure.check, failure.message),
            "status": 401,
        }),
    )
}
