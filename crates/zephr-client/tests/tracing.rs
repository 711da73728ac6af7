//! The tracing events: a span per call, events for request, response and
//! retry, and never the secret key, the signature or a body.

#![cfg(feature = "blocking")]
#![allow(clippy::unwrap_used)]

mod common;

use std::fmt::Write as _;
use std::sync::{Arc, Mutex};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};
use zephr_admin::Credentials;
use zephr_admin::operations::users::GetUser;
use zephr_admin_client::{BlockingClient, Config};

/// Writes every span and event, with all its fields, as one line of text.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<String>>);

struct Line<'a>(&'a mut String);

impl Visit for Line<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, " {}={:?}", field.name(), value);
    }
}

impl Subscriber for Capture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &Attributes<'_>) -> Id {
        let mut text = self.0.lock().unwrap();
        let _ = write!(text, "span {}", span.metadata().name());
        span.record(&mut Line(&mut text));
        text.push('\n');
        Id::from_u64(1)
    }
    fn record(&self, _: &Id, values: &Record<'_>) {
        values.record(&mut Line(&mut self.0.lock().unwrap()));
    }
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut text = self.0.lock().unwrap();
        let _ = write!(text, "event {}", event.metadata().level());
        event.record(&mut Line(&mut text));
        text.push('\n');
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

#[test]
fn requests_responses_and_retries_are_traced_without_secrets() {
    let server = common::FaultServer::start();
    server.script([common::Act::Reply(
        503,
        vec![("retry-after".into(), "0".into())],
        "{}".into(),
    )]);
    let secret = "s3cr3t-never-traced";
    let client = BlockingClient::new(
        common::core(&server.base_url, Credentials::new("ak", secret).unwrap(), 1),
        Config::default(),
    )
    .unwrap();
    let capture = Capture::default();
    tracing::subscriber::with_default(capture.clone(), || {
        client
            .users()
            .get(GetUser {
                user_id: "u-1".into(),
            })
            .send()
            .unwrap();
    });
    let text = capture.0.lock().unwrap().clone();
    assert!(
        text.contains("span zephr.call operation=\"getUser\""),
        "{text}"
    );
    assert_eq!(text.matches("zephr request").count(), 2, "{text}");
    assert!(text.contains("status=503"), "{text}");
    assert!(text.contains("status=200"), "{text}");
    assert!(text.contains("request_id=\"req-200\""), "{text}");
    assert!(
        text.contains("zephr retry") && text.contains("attempt=1"),
        "{text}"
    );
    assert!(!text.contains(secret), "{text}");
    let seen = server.seen();
    let auth = seen.first().unwrap().header("authorization").unwrap();
    let signature = auth.rsplit(':').next().unwrap();
    assert!(!text.contains(signature), "{text}");
    assert!(!text.contains("ZEPHR-HMAC"), "{text}");
}
