//! The blocking client: ureq pumping the call engine.

use std::collections::VecDeque;

use serde::de::DeserializeOwned;
use zephr_admin::call::{Call, Engine, FailureKind, Pages, TransportFailure};
use zephr_admin::catalogue::Operation;
use zephr_admin::{Client, List, PreparedRequest, Response};

use crate::{
    BuildError, CallError, Config, Pending, Turn, ZephrClient, check_config, header_list,
    no_answer, trace, with_user_agent,
};

/// The ureq transport of [`BlockingClient`].
#[derive(Debug, Clone)]
pub struct Ureq {
    agent: ureq::Agent,
}

/// The blocking client (ureq).
pub type BlockingClient = ZephrClient<Ureq>;

impl ZephrClient<Ureq> {
    /// A client for the core client's target and key pair, with its own
    /// connection pool. Redirects are never followed (a 3xx is an error).
    pub fn new(core: Client, config: Config) -> Result<Self, BuildError> {
        check_config(&config)?;
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_global(Some(config.timeout))
            .timeout_connect(Some(config.connect_timeout))
            .build()
            .into();
        Ok(ZephrClient {
            core,
            config,
            transport: Ureq { agent },
        })
    }

    /// Sends one signed request from an engine's
    /// [`Step::Send`](zephr_admin::call::Step::Send) (never following a
    /// redirect, reading at most `max_bytes` of body) and returns
    /// the outcome to hand to [`Engine::handle`]. For hosts that pump engines
    /// themselves, several at once or with their own scheduling.
    pub fn transmit(
        &self,
        prepared: PreparedRequest,
        max_bytes: u64,
    ) -> Result<Response, TransportFailure> {
        self.send(with_user_agent(prepared, &self.config), max_bytes)
    }

    /// Runs an engine until its next output (`None` when it has finished).
    fn drive<E: Engine>(&self, engine: &mut E) -> Option<Result<E::Output, CallError>> {
        loop {
            match self.turn(engine) {
                Turn::Send(prepared, max_bytes) => {
                    let outcome = self.send(prepared, max_bytes);
                    Self::report(engine, outcome);
                }
                Turn::Wait(wait) => std::thread::sleep(wait),
                Turn::Done(output) => return output,
            }
        }
    }

    fn send(
        &self,
        prepared: PreparedRequest,
        max_bytes: u64,
    ) -> Result<Response, TransportFailure> {
        let mut builder = ureq::http::Request::builder()
            .method(prepared.method.as_str())
            .uri(&prepared.url);
        for (name, value) in &prepared.headers {
            builder = builder.header(name, value);
        }
        let request = builder
            .body(prepared.body)
            .map_err(|e| TransportFailure::new(FailureKind::Connect, e.to_string()))?;
        let mut reply = self.transport.agent.run(request).map_err(failure)?;
        let headers = header_list(reply.headers());
        let body = reply
            .body_mut()
            .with_config()
            .limit(max_bytes)
            .read_to_vec()
            .map_err(failure)?;
        Ok(Response::new(reply.status().as_u16(), headers, body))
    }
}

fn failure(e: ureq::Error) -> TransportFailure {
    use ureq::Timeout;
    let kind = match &e {
        ureq::Error::HostNotFound | ureq::Error::ConnectionFailed => FailureKind::Connect,
        ureq::Error::Timeout(Timeout::Resolve | Timeout::Connect) => FailureKind::Connect,
        ureq::Error::Timeout(_) => FailureKind::TimedOut,
        ureq::Error::BodyExceedsLimit(_) => FailureKind::BodyTooLarge,
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
            FailureKind::Connect
        }
        _ => FailureKind::Interrupted,
    };
    TransportFailure::new(kind, e.to_string())
}

impl<O: Operation> Pending<'_, Ureq, O> {
    /// Sends the call (retrying as the policy says) and decodes its answer.
    pub fn send(self) -> Result<O::Output, CallError> {
        let _span = trace::span(O::spec().id).entered();
        let mut call = Call::operation(&self.client.core, &self.request, self.options);
        self.client.drive(&mut call).unwrap_or_else(no_answer)
    }
}

impl<'c, O, T> Pending<'c, Ureq, O>
where
    O: Operation<Output = List<T>>,
    T: DeserializeOwned,
{
    /// Every element of the list, page after page (each page re-signed and
    /// retried on its own). The iterator ends after the last page or the first error.
    pub fn iter(self) -> Items<'c, T> {
        Items {
            client: self.client,
            span: trace::span(O::spec().id),
            pages: Pages::operation(&self.client.core, &self.request, self.options),
            buffer: VecDeque::new(),
            done: false,
        }
    }
}

/// The elements of a paged list, from [`Pending::iter`].
#[derive(Debug)]
pub struct Items<'c, T> {
    client: &'c BlockingClient,
    span: tracing::Span,
    pages: Pages<T>,
    buffer: VecDeque<T>,
    done: bool,
}

impl<T: DeserializeOwned> Iterator for Items<'_, T> {
    type Item = Result<T, CallError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(item) = self.buffer.pop_front() {
                return Some(Ok(item));
            }
            if self.done {
                return None;
            }
            let _entered = self.span.enter();
            match self.client.drive(&mut self.pages) {
                Some(Ok(page)) => self.buffer.extend(page.items),
                Some(Err(e)) => {
                    self.done = true;
                    return Some(Err(e));
                }
                None => self.done = true,
            }
        }
    }
}
