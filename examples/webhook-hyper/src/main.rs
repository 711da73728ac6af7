//! `cargo run -p zephr-example-webhook-hyper -- PORT`: receives Zephr webhooks
//! on 127.0.0.1:PORT, verifies the Bearer token in `ZEPHR_WEBHOOK_TOKEN`
//! (5-minute staleness window) and prints each event.

use zephr_admin::webhook::{WebhookCredentials, WebhookVerifier};
use zephr_example_webhook_hyper::serve;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), String> {
    let port: u16 = std::env::args()
        .nth(1)
        .map_or(Ok(8787), |p| p.parse())
        .map_err(|_| "usage: zephr-example-webhook-hyper [PORT]")?;
    let token = std::env::var("ZEPHR_WEBHOOK_TOKEN")
        .map_err(|_| "set ZEPHR_WEBHOOK_TOKEN to the webhook's Bearer token")?;
    let credentials = WebhookCredentials::bearer(token).map_err(|e| e.to_string())?;
    let verifier = WebhookVerifier::new(credentials).with_tolerance_ms(5 * 60 * 1000);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .map_err(|e| e.to_string())?;
    println!(
        "listening on http://{}/",
        listener.local_addr().map_err(|e| e.to_string())?
    );
    serve(listener, verifier, |outcome| match outcome {
        Ok(event) => match event.user() {
            Some(user) => println!("{} user {}", event.event_type, user.user_id),
            None => println!("{} {}", event.event_type, event.raw_details),
        },
        Err(error) => eprintln!("refused: {error}"),
    })
    .await;
    Ok(())
}
