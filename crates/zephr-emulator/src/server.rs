//! The HTTP side: a hyper server on 127.0.0.1 with a body size limit,
//! deadlines on headers and bodies, an idle limit per connection, a
//! connection cap that makes room or refuses at once rather than queueing,
//! and graceful shutdown.

use std::convert::Infallible;
use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::body::Incoming as Body;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::Config;
use crate::connection::{Conn, Connections, Tracked};
use crate::faults::Fault;
use crate::handler::{Incoming, Shared};
use crate::reply::Reply;
use crate::util::now_ms;

/// The emulator could not start.
#[derive(Debug)]
pub struct StartError(String);

impl fmt::Display for StartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for StartError {}

/// What both handles of a running emulator offer: its address, faults to
/// queue, a request count. [`Emulator`] and [`BackgroundEmulator`] dereference to it.
#[derive(Debug, Clone)]
pub struct Controls {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
}

impl Controls {
    /// The address the emulator listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:{port}`, for `BaseUrl::parse`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Queues `fault` for the next `times` signed requests.
    pub fn inject(&self, fault: Fault, times: usize) {
        self.shared.inject(fault, times);
    }

    /// How many requests were answered so far.
    pub fn requests_served(&self) -> u64 {
        self.shared.served()
    }

    /// Every webhook delivery so far, oldest first, with its attempts.
    pub fn webhook_deliveries(&self) -> Vec<crate::Delivery> {
        self.shared.webhooks().deliveries()
    }

    /// Applies `fault` to the next `times` webhook deliveries.
    pub fn inject_delivery_fault(&self, fault: crate::DeliveryFault, times: usize) {
        self.shared.webhooks().inject(fault, times);
    }
}

/// A running emulator inside the caller's tokio runtime.
#[derive(Debug)]
pub struct Emulator {
    controls: Controls,
    task: JoinHandle<()>,
}

impl std::ops::Deref for Emulator {
    type Target = Controls;
    fn deref(&self) -> &Controls {
        &self.controls
    }
}

impl Emulator {
    /// Binds 127.0.0.1 on the configured port and starts serving.
    pub async fn start(config: Config) -> Result<Emulator, StartError> {
        if config.keys.is_empty() {
            return Err(StartError(
                "the emulator needs at least one key pair".into(),
            ));
        }
        for (name, value) in [
            ("header_timeout", config.header_timeout),
            ("body_timeout", config.body_timeout),
            ("idle_timeout", config.idle_timeout),
        ] {
            if value.is_zero() {
                return Err(StartError(format!("{name} must be longer than zero")));
            }
        }
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, config.port))
            .await
            .map_err(|e| StartError(format!("cannot listen on 127.0.0.1:{}: {e}", config.port)))?;
        let addr = listener
            .local_addr()
            .map_err(|e| StartError(format!("no local address: {e}")))?;
        let shared = Arc::new(Shared::new(&config));
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(accept_loop(
            listener,
            Arc::clone(&shared),
            config,
            addr,
            stopped,
        ));
        Ok(Emulator {
            controls: Controls { addr, shared, stop },
            task,
        })
    }

    /// Stops accepting, closes open connections and waits for the server task.
    pub async fn shutdown(self) {
        let _ = self.controls.stop.send(true);
        let _ = self.task.await;
    }

    /// Waits until the server stops (it only stops on [`Emulator::shutdown`]
    /// from a clone of its stop signal, or when the runtime ends).
    async fn wait(self) {
        let _ = self.task.await;
    }
}

/// The limits every connection runs under.
#[derive(Debug, Clone, Copy)]
struct Limits {
    max_body_bytes: usize,
    header_timeout: Duration,
    body_timeout: Duration,
    idle_timeout: Duration,
}

async fn accept_loop(
    listener: TcpListener,
    shared: Arc<Shared>,
    config: Config,
    addr: SocketAddr,
    mut stopped: watch::Receiver<bool>,
) {
    let connections = Connections::new(config.max_connections);
    let origin: Arc<str> = Arc::from(format!("http://{addr}"));
    let limits = Limits {
        max_body_bytes: config.max_body_bytes,
        header_timeout: config.header_timeout,
        body_timeout: config.body_timeout,
        idle_timeout: config.idle_timeout,
    };
    // Never waits for anything but the next connection: each one is served,
    // or refused, on a task of its own.
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = stopped.changed() => break,
        };
        let Ok((stream, _)) = accepted else {
            // Out of file descriptors and the like: back off a little.
            tokio::time::sleep(Duration::from_millis(10)).await;
            continue;
        };
        let Some(admitted) = connections.admit() else {
            tokio::spawn(refuse_connection(stream));
            continue;
        };
        let shared = Arc::clone(&shared);
        let origin = Arc::clone(&origin);
        let stopped = stopped.clone();
        tokio::spawn(async move {
            serve_connection(stream, &admitted.conn, shared, origin, limits, stopped).await;
            drop(admitted);
        });
    }
}

/// Serves one connection until it closes, breaks a deadline, stays idle too
/// long, is closed to make room or the emulator stops.
async fn serve_connection(
    stream: TcpStream,
    conn: &Arc<Conn>,
    shared: Arc<Shared>,
    origin: Arc<str>,
    limits: Limits,
    mut stopped: watch::Receiver<bool>,
) {
    let service = {
        let conn = Arc::clone(conn);
        service_fn(move |request| {
            let shared = Arc::clone(&shared);
            let origin = Arc::clone(&origin);
            let busy = conn.busy();
            async move {
                let response = serve(&shared, &origin, limits, request).await;
                drop(busy);
                Ok::<_, Infallible>(response)
            }
        })
    };
    // The header timer runs from the connection's start, and again from the
    // end of each answer: a silent, trickling or idle keep-alive client is
    // cut off after `header_timeout`.
    let connection = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .serve_connection(
            TokioIo::new(Tracked {
                inner: stream,
                conn: Arc::clone(conn),
            }),
            service,
        );
    tokio::select! {
        _ = connection => {}
        _ = conn.idle_for(limits.idle_timeout) => {}
        _ = conn.evicted() => {}
        _ = stopped.changed() => {}
    }
}

/// The answer to a connection over `max_connections` when every open one is
/// handling a request: 503 at once, then close.
async fn refuse_connection(mut stream: TcpStream) {
    let body = r#"{"error":"too_many_connections","message":"the emulator serves max_connections connections at once; try again shortly","status":503}"#;
    let answer = format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\nretry-after: 1\r\nconnection: close\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    );
    let refuse = async {
        stream.write_all(answer.as_bytes()).await?;
        stream.shutdown().await?;
        // Read what the client sent (and drop it), so that closing does not
        // reset the connection before the client has read the answer.
        let mut sink = [0u8; 4096];
        while stream.read(&mut sink).await? > 0 {}
        Ok::<_, std::io::Error>(())
    };
    let _ = tokio::time::timeout(REFUSAL_TIMEOUT, refuse).await;
}

/// How long a refused connection may take to receive its 503.
const REFUSAL_TIMEOUT: Duration = Duration::from_secs(2);

async fn serve(
    shared: &Shared,
    origin: &str,
    limits: Limits,
    request: hyper::Request<Body>,
) -> hyper::Response<Full<Bytes>> {
    let limit = limits.max_body_bytes;
    let (parts, body) = request.into_parts();
    let declared = parts
        .headers
        .get(hyper::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return too_large(limit);
    }
    let read = tokio::time::timeout(limits.body_timeout, Limited::new(body, limit).collect());
    let body = match read.await {
        Ok(Ok(collected)) => collected.to_bytes(),
        Ok(Err(e)) if e.is::<LengthLimitError>() => return too_large(limit),
        Ok(Err(e)) => {
            return to_hyper(Reply::bad_request(format!(
                "the request body could not be read: {e}"
            )));
        }
        Err(_) => {
            return to_hyper(
                Reply::error(
                    408,
                    "request_timeout",
                    format!(
                        "the request body did not arrive within {} ms",
                        limits.body_timeout.as_millis()
                    ),
                )
                .with_header("connection", "close"),
            );
        }
    };
    let headers: Vec<(String, String)> = parts
        .headers
        .iter()
        .map(|(name, value)| {
            (
                name.as_str().to_owned(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect();
    let incoming = Incoming {
        method: parts.method.as_str(),
        path: parts.uri.path(),
        query: parts.uri.query().unwrap_or(""),
        headers: &headers,
        body: &body,
        origin,
    };
    let outcome = shared.handle(&incoming, now_ms());
    if !outcome.delay.is_zero() {
        tokio::time::sleep(outcome.delay).await;
    }
    to_hyper(outcome.reply)
}

fn too_large(limit: usize) -> hyper::Response<Full<Bytes>> {
    to_hyper(
        Reply::error(
            413,
            "payload_too_large",
            format!("the request body is larger than {limit} bytes"),
        )
        .with_header("connection", "close"),
    )
}

fn to_hyper(reply: Reply) -> hyper::Response<Full<Bytes>> {
    let mut response = hyper::Response::new(Full::new(Bytes::from(reply.body)));
    *response.status_mut() =
        hyper::StatusCode::from_u16(reply.status).unwrap_or(hyper::StatusCode::OK);
    let headers = response.headers_mut();
    for (name, value) in reply.headers {
        if let (Ok(name), Ok(value)) = (
            hyper::header::HeaderName::from_bytes(name.as_bytes()),
            hyper::header::HeaderValue::from_str(&value),
        ) {
            headers.append(name, value);
        }
    }
    response
}

/// An emulator on its own thread with its own tokio runtime, for blocking
/// code (the command line, tests with a blocking client). Dropping it shuts
/// it down.
#[derive(Debug)]
pub struct BackgroundEmulator {
    controls: Controls,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl std::ops::Deref for BackgroundEmulator {
    type Target = Controls;
    fn deref(&self) -> &Controls {
        &self.controls
    }
}

impl BackgroundEmulator {
    /// Starts the emulator on a new thread and returns once it listens.
    pub fn spawn(config: Config) -> Result<BackgroundEmulator, StartError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|e| StartError(format!("no tokio runtime: {e}")))?;
        let emulator = runtime.block_on(Emulator::start(config))?;
        let controls = emulator.controls.clone();
        let thread = std::thread::Builder::new()
            .name("zephr-emulator".into())
            .spawn(move || {
                runtime.block_on(emulator.wait());
                runtime.shutdown_timeout(Duration::from_secs(1));
            })
            .map_err(|e| StartError(format!("cannot start the emulator thread: {e}")))?;
        Ok(BackgroundEmulator {
            controls,
            thread: Some(thread),
        })
    }

    /// Blocks until the emulator stops (for a foreground server).
    pub fn wait(mut self) {
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }

    /// Stops the emulator and waits for its thread.
    pub fn shutdown(mut self) {
        self.stop_and_join();
    }

    fn stop_and_join(&mut self) {
        let _ = self.controls.stop.send(true);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for BackgroundEmulator {
    fn drop(&mut self) {
        self.stop_and_join();
    }
}
