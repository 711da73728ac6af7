//! `zephr demo`: the emulator in-process and a short scenario through the SDK.

use std::fmt::Write as _;
use std::io::Write;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::Args;
use serde_json::{Value, json};
use zephr_admin::call::{Call, CallOptions, Pages};
use zephr_admin::catalogue::require_operation;
use zephr_admin::{BaseUrl, Client, Credentials, Request, Response};
use zephr_admin_client::BlockingClient;
use zephr_emulator::{BackgroundEmulator, Config, Fault};

use crate::call;
use crate::pump::{self, Event};

/// Arguments of `zephr demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {}

/// Prints as it goes, so a slow step shows where it is.
struct Log;

impl Log {
    fn say(&self, text: &str) {
        let mut stdout = std::io::stdout().lock();
        let _ = writeln!(stdout, "{text}");
        let _ = stdout.flush();
    }
}

struct Demo {
    client: BlockingClient,
    log: Log,
}

impl Demo {
    /// Sends an operation by id and prints `METHOD /path -> status  note`.
    fn op(
        &self,
        id: &str,
        params: Value,
        note: impl Fn(&Value) -> String,
    ) -> Result<Value, String> {
        let request = require_operation(id)
            .and_then(|op| op.request_from_json(&params))
            .map_err(|e| e.to_string())?;
        self.send(&request, note)
    }

    fn send(&self, request: &Request, note: impl Fn(&Value) -> String) -> Result<Value, String> {
        let mut call = Call::with_decoder(
            self.client.core(),
            request.clone(),
            CallOptions::default(),
            pump::keep_response,
        );
        let (mut line, mut retries) = (String::new(), 0);
        let response = pump::run(&self.client, &mut call, None, &mut |event| {
            self.log_event(event, &mut line, &mut retries)
        })
        .map_err(|e| e.to_string())?;
        let mut line = format!("{line:<44} -> {}", response.status);
        if retries > 0 {
            line.push_str(&format!(" (after {retries} retry)"));
        }
        match decode(&response) {
            Ok(body) => {
                self.log.say(&format!("{line}  {}", note(&body)));
                Ok(body)
            }
            Err(explanation) => {
                self.log.say(&line);
                Err(explanation)
            }
        }
    }

    /// Keeps the request line of the attempt being sent and says each retry.
    fn log_event(&self, event: Event<'_>, line: &mut String, retries: &mut u32) {
        match event {
            Event::Sending(prepared) => *line = call::request_line(prepared),
            Event::Retry(note) => {
                *retries += 1;
                self.log.say(&format!(
                    "    -> {}, the core says: retry in {} ms",
                    note.status
                        .map_or_else(|| pump::retry_cause(note), |s| s.to_string()),
                    note.wait_ms
                ));
            }
        }
    }
}

fn decode(response: &Response) -> Result<Value, String> {
    response.decode::<Value>().map_err(|e| match e {
        zephr_admin::Error::Api(api) => call::describe(&api),
        other => other.to_string(),
    })
}

fn text(value: &Value, pointer: &str) -> String {
    value
        .pointer(pointer)
        .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
        .unwrap_or_default()
}

pub fn run(_args: DemoArgs) -> ExitCode {
    match scenario() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("zephr: demo failed: {message}");
            ExitCode::from(1)
        }
    }
}

fn scenario() -> Result<(), String> {
    let started = Instant::now();
    let emulator = BackgroundEmulator::spawn(Config::default()).map_err(|e| e.to_string())?;
    let base = BaseUrl::parse(&emulator.base_url()).map_err(|e| e.to_string())?;
    let credentials = zephr_emulator::demo_credentials().map_err(|e| e.to_string())?;
    let demo = Demo {
        client: pump::client(
            Client::new(credentials, base.clone()),
            Duration::from_secs(10),
        )?,
        log: Log,
    };
    let log = &demo.log;
    log.say(&format!(
        "Local Zephr emulator on {} (demo key pair {})\n",
        emulator.base_url(),
        zephr_emulator::DEMO_ACCESS_KEY
    ));

    log.say("1. Create a user");
    let created = demo.op(
        "createUser",
        json!({"body": {"identifiers": {"email_address": "ada@example.com"}, "attributes": {"first_name": "Ada"}}}),
        |b| format!("user_id {}", text(b, "/data/user_id")),
    )?;
    let user_id = text(&created, "/data/user_id");

    log.say("\n2. Create a product and grant it to the user");
    demo.op(
        "createEntitlements",
        json!({"body": {"label": "Gold articles"}}),
        |b| format!("entitlement {}", text(b, "/id")),
    )
    .and_then(|entitlement| {
        let entitlement_id = text(&entitlement, "/id");
        demo.op(
            "saveProduct",
            json!({"body": {"id": "gold", "label": "Gold", "entitlement": {"id": entitlement_id, "type": "bundle"}}}),
            |b| text(b, "/message"),
        )
    })?;
    demo.op(
        "createGrants",
        json!({"userId": user_id, "body": {"product_id": "gold"}}),
        |b| {
            format!(
                "grant {} ({})",
                text(b, "/grant_id"),
                text(b, "/expiry_state")
            )
        },
    )?;

    log.say("\n3. List the user's grants and sessions");
    demo.op("listUserGrants", json!({"userId": user_id}), |b| {
        let grants = b["results"].as_array().map_or(0, Vec::len);
        format!(
            "{grants} grant(s): product {}, {}",
            text(b, "/results/0/product_id"),
            text(b, "/results/0/expiry_state")
        )
    })?;
    demo.op("listUserSessions", json!({"user_id": user_id}), |b| {
        format!(
            "{} session(s), delivered entitlements {}",
            b["sessions"].as_array().map_or(0, Vec::len),
            b.pointer("/access_model/delivered_entitlements")
                .cloned()
                .unwrap_or_default()
        )
    })?;

    log.say("\n4. Page through accounts (rpp=2), page after page as the engine walks them");
    for name in ["Acme", "Globex", "Initech", "Umbrella", "Hooli"] {
        demo.op(
            "createAccount",
            json!({"body": {"name": name, "number_of_seats": 10}}),
            |b| format!("{} {}", text(b, "/account_id"), text(b, "/name")),
        )?;
    }
    let first = require_operation("listAccounts")
        .and_then(|op| op.request_from_json(&json!({"rpp": 2})))
        .map_err(|e| e.to_string())?;
    let mut pages: Pages<Value> = Pages::new(demo.client.core(), first, CallOptions::default());
    let (mut line, mut retries) = (String::new(), 0);
    while let Some(page) = pump::drive(&demo.client, &mut pages, None, &mut |event| {
        demo.log_event(event, &mut line, &mut retries)
    }) {
        let page = page.map_err(|e| e.to_string())?;
        let names: Vec<String> = page.items.iter().map(|x| text(x, "/name")).collect();
        let total = page.total.map_or("?".to_owned(), |t| t.to_string());
        log.say(&format!(
            "{line:<44} -> 200  [{}] of {total}",
            names.join(", ")
        ));
    }

    log.say("\n5. A transient 503 (injected), retried as the core decides");
    emulator.inject(
        Fault::Unavailable {
            retry_after_secs: 0,
        },
        1,
    );
    demo.op("getUser", json!({"user_id": user_id}), |b| {
        format!("{} after the retry", text(b, "/identifiers/email_address"))
    })?;

    log.say("\n6. A request signed with the wrong secret key is rejected");
    let wrong = Credentials::new(zephr_emulator::DEMO_ACCESS_KEY, "not-the-secret-key")
        .map_err(|e| e.to_string())?;
    let intruder = Demo {
        client: pump::client(Client::new(wrong, base), Duration::from_secs(10))?,
        log: Log,
    };
    match intruder.op("getUser", json!({"user_id": user_id}), |_| String::new()) {
        Ok(_) => return Err("the wrong signature was accepted".into()),
        Err(explanation) => {
            let mut out = String::new();
            for (i, line) in explanation.lines().enumerate() {
                let _ = writeln!(out, "{}{line}", if i == 0 { "    -> " } else { "  " });
            }
            log.say(out.trim_end());
        }
    }

    log.say("\n7. Register a webhook, trigger it, verify the delivery");
    webhook_step(&demo)?;

    log.say(&format!(
        "\nDone: {} requests in {} ms. Run `zephr emulator` to keep one running.",
        emulator.requests_served(),
        started.elapsed().as_millis()
    ));
    emulator.shutdown();
    Ok(())
}

/// Step 7: a receiver on 127.0.0.1 (the code of `zephr webhook listen`), a
/// webhook with a Bearer token registered through the Admin API, a user
/// created to trigger it, and the verified event printed.
fn webhook_step(demo: &Demo) -> Result<(), String> {
    use zephr_admin::webhook::{WebhookCredentials, WebhookVerifier};

    let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    let target = format!(
        "http://{}/zephr-webhooks",
        listener.local_addr().map_err(|e| e.to_string())?
    );
    let token = "demo-webhook-token";
    let verifier =
        WebhookVerifier::new(WebhookCredentials::bearer(token).map_err(|e| e.to_string())?)
            .with_tolerance_ms(5 * 60 * 1000);
    let receiver = std::thread::spawn(move || {
        let mut lines = Vec::new();
        crate::webhook::serve(&listener, &verifier, Some(1), |line| lines.push(line));
        lines
    });
    demo.op(
        "createWebhook",
        json!({"body": {"label": "demo", "triggers": ["CREATE_USER"], "method": "POST", "target": target,
                        "credentials": {"type": "bearer", "token": token}}}),
        |b| format!("webhook {} -> {}", text(b, "/webhook_id"), text(b, "/target")),
    )?;
    demo.op(
        "createUser",
        json!({"body": {"identifiers": {"email_address": "grace@example.com"}}}),
        |b| format!("user_id {}", text(b, "/data/user_id")),
    )?;
    let lines = receiver
        .join()
        .map_err(|_| "the webhook receiver stopped".to_owned())?;
    for line in lines {
        demo.log.say(&format!("    receiver: {line}"));
    }
    Ok(())
}
