//! The async client: reqwest (tokio, rustls) pumping the call engine.

use std::collections::VecDeque;
use std::future::{Future, IntoFuture};
use std::pin::Pin;

use futures_util::Stream;
use serde::de::DeserializeOwned;
use tracing::Instrument;
use zephr_admin::call::{Call, Engine, FailureKind, Pages, TransportFailure};
use zephr_admin::catalogue::Operation;
use zephr_admin::{Client, List, PreparedRequest, Response};

use crate::{
    BuildError, CallError, Config, Pending, Turn, ZephrClient, check_config, header_list,
    no_answer, trace,
};

/// The reqwest transport of [`AsyncClient`].
#[derive(Debug, Clone)]
pub struct Reqwest {
    http: reqwest::Client,
}

/// The async client (reqwest on tokio). Needs a tokio runtime with timers.
pub type AsyncClient = ZephrClient<Reqwest>;

impl ZephrClient<Reqwest> {
    /// A client for the core client's target and key pair, with its own
    /// connection pool. Redirects are never followed (a 3xx is an error).
    pub fn new(core: Client, config: Config) -> Result<Self, BuildError> {
        check_config(&config)?;
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.connect_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| BuildError::new(e.to_string()))?;
        Ok(ZephrClient {
            core,
            config,
            transport: Reqwest { http },
        })
    }

    /// Runs an engine until its next output (`None` when it has finished).
    async fn drive<E: Engine>(&self, engine: &mut E) -> Option<Result<E::Output, CallError>> {
        loop {
            match self.turn(engine) {
                Turn::Send(prepared, max_bytes) => {
                    let outcome = self.send(prepared, max_bytes).await;
                    Self::report(engine, outcome);
                }
                Turn::Wait(wait) => tokio::time::sleep(wait).await,
                Turn::Done(output) => return output,
            }
        }
    }

    async fn send(
        &self,
        prepared: PreparedRequest,
        max_bytes: u64,
    ) -> Result<Response, TransportFailure> {
        let method = reqwest::Method::from_bytes(prepared.method.as_bytes())
            .map_err(|e| TransportFailure::new(FailureKind::Connect, e.to_string()))?;
        let mut builder = self.transport.http.request(method, &prepared.url);
        for (name, value) in &prepared.headers {
            builder = builder.header(name, value);
        }
        let mut reply = builder.body(prepared.body).send().await.map_err(failure)?;
        let status = reply.status().as_u16();
        let headers = header_list(reply.headers());
        if reply.content_length().is_some_and(|len| len > max_bytes) {
            return Err(too_large(max_bytes));
        }
        let mut body = Vec::new();
        while let Some(chunk) = reply.chunk().await.map_err(failure)? {
            if (body.len() + chunk.len()) as u64 > max_bytes {
                return Err(too_large(max_bytes));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Response::new(status, headers, body))
    }
}

fn failure(e: reqwest::Error) -> TransportFailure {
    let kind = if e.is_connect() {
        FailureKind::Connect
    } else if e.is_timeout() {
        FailureKind::TimedOut
    } else {
        FailureKind::Interrupted
    };
    TransportFailure::new(kind, e.to_string())
}

fn too_large(max_bytes: u64) -> TransportFailure {
    TransportFailure::new(
        FailureKind::BodyTooLarge,
        format!("the response body is longer than {max_bytes} bytes"),
    )
}

impl<'c, O> IntoFuture for Pending<'c, Reqwest, O>
where
    O: Operation + Send + Sync + 'c,
    O::Output: Send,
{
    type Output = Result<O::Output, CallError>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send + 'c>>;

    fn into_future(self) -> Self::IntoFuture {
        let span = trace::span(O::spec().id);
        Box::pin(
            async move {
                let mut call = Call::operation(&self.client.core, &self.request, self.options);
                self.client.drive(&mut call).await.unwrap_or_else(no_answer)
            }
            .instrument(span),
        )
    }
}

impl<'c, O, T> Pending<'c, Reqwest, O>
where
    O: Operation<Output = List<T>>,
    T: DeserializeOwned + Send + 'c,
{
    /// Every element of the list, page after page (each page re-signed and
    /// retried on its own). The stream ends after the last page or the first error.
    pub fn stream(self) -> impl Stream<Item = Result<T, CallError>> + Send + 'c {
        let pages = Pages::operation(&self.client.core, &self.request, self.options);
        let client = self.client;
        let span = trace::span(O::spec().id);
        futures_util::stream::unfold(
            (pages, VecDeque::new(), false),
            move |(mut pages, mut buffer, done)| {
                let span = span.clone();
                async move {
                    loop {
                        if let Some(item) = buffer.pop_front() {
                            return Some((Ok(item), (pages, buffer, done)));
                        }
                        if done {
                            return None;
                        }
                        match client.drive(&mut pages).instrument(span.clone()).await {
                            Some(Ok(page)) => buffer.extend(page.items),
                            Some(Err(e)) => return Some((Err(e), (pages, buffer, true))),
                            None => return None,
                        }
                    }
                }
            },
        )
    }
}
