//! Slow and silent connections: deadlines on heads, bodies and idleness cut
//! them off, a full server makes room or refuses at once, and an attack of
//! several hundred of them does not stop normal signed requests.

#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::start_with;
use zephr_emulator::Config;

/// How long any one normal request may take while under attack. Generous: it
/// answers in milliseconds; the point is that it does not wait for the
/// attackers' 10 s deadlines.
const PROMPT: Duration = Duration::from_secs(5);

/// How long a deadline of 1 s may take to cut a connection off, with slack
/// for a loaded machine.
const CUT_OFF: Duration = Duration::from_secs(8);

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Attack {
    /// Connects and sends nothing.
    Silent,
    /// Sends a request head one byte at a time, never finishing it.
    TrickleHead,
    /// Sends a complete head, then the body one byte at a time.
    TrickleBody,
}

const TRICKLED_BODY_HEAD: &[u8] =
    b"POST /v3/users HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n";

fn open(addr: SocketAddr, attack: Attack) -> TcpStream {
    let mut stream = TcpStream::connect(addr).unwrap();
    match attack {
        Attack::Silent => {}
        Attack::TrickleHead => stream
            .write_all(b"GET /v3/products HTTP/1.1\r\nX-Slow: ")
            .unwrap(),
        Attack::TrickleBody => stream.write_all(TRICKLED_BODY_HEAD).unwrap(),
    }
    stream
}

/// Whether the server has closed this connection (EOF or reset), without waiting.
fn closed_by_server(stream: &TcpStream) -> bool {
    stream.set_nonblocking(true).unwrap();
    let mut byte = [0u8; 1];
    match stream.peek(&mut byte) {
        Ok(0) => true,
        Ok(_) => false,
        Err(e) => e.kind() != ErrorKind::WouldBlock,
    }
}

#[test]
fn an_attack_of_450_slow_connections_does_not_stop_signed_requests() {
    // More attackers than connections served at once.
    let emu = start_with(Config {
        max_connections: 256,
        ..Config::default()
    });
    let addr = emu.server.local_addr();
    let attackers = 450;
    let opened = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));

    // One thread opens the attack connections (a jammed server leaves them
    // waiting in its accept queue), then keeps the trickling ones trickling.
    let attack = {
        let (opened, stop) = (Arc::clone(&opened), Arc::clone(&stop));
        std::thread::spawn(move || {
            let kinds = [Attack::Silent, Attack::TrickleHead, Attack::TrickleBody];
            let mut streams = Vec::new();
            for i in 0..attackers {
                let kind = kinds[i % kinds.len()];
                let stream = open(addr, kind);
                stream.set_nonblocking(true).unwrap();
                streams.push((kind, stream));
                opened.fetch_add(1, Ordering::Relaxed);
            }
            while !stop.load(Ordering::Relaxed) {
                for (kind, stream) in &mut streams {
                    if *kind != Attack::Silent {
                        let _ = stream.write(b"a");
                    }
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            streams
        })
    };
    let started = Instant::now();
    while opened.load(Ordering::Relaxed) < attackers && started.elapsed() < PROMPT {
        std::thread::sleep(Duration::from_millis(50));
    }

    // Normal signed requests, one after another, while the attack runs.
    for i in 0..15 {
        let started = Instant::now();
        let answer = emu.signed("GET", "/v3/products", "", b"");
        let took = started.elapsed();
        assert_eq!(answer.status, 200, "request {i}");
        assert!(took < PROMPT, "request {i} took {took:?} under attack");
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(opened.load(Ordering::Relaxed), attackers);

    // The attack was really running all along: attackers still hold nearly
    // every place (the others were closed to make room).
    stop.store(true, Ordering::Relaxed);
    let streams = attack.join().unwrap();
    let still_open = streams
        .iter()
        .filter(|(_, stream)| !closed_by_server(stream))
        .count();
    assert!(
        still_open >= 200,
        "only {still_open} attackers were still connected"
    );
}

/// A connection whose receive buffer stays small (no autotuning).
fn connect_with_small_receive_buffer(addr: SocketAddr) -> TcpStream {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()
        .unwrap();
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(8 * 1024).unwrap();
    let stream = runtime.block_on(socket.connect(addr)).unwrap();
    let stream = stream.into_std().unwrap();
    stream.set_nonblocking(false).unwrap();
    stream
}

fn short_deadlines() -> Config {
    Config {
        header_timeout: Duration::from_secs(1),
        body_timeout: Duration::from_secs(1),
        idle_timeout: Duration::from_secs(1),
        ..Config::default()
    }
}

/// Keeps trickling one byte every 100 ms until the server closes the
/// connection or answers; returns what it answered. Panics after `CUT_OFF`.
fn trickle_until_cut_off(mut stream: TcpStream) -> Vec<u8> {
    let started = Instant::now();
    stream
        .set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    let mut answer = Vec::new();
    loop {
        assert!(started.elapsed() < CUT_OFF, "not cut off after {CUT_OFF:?}");
        if stream.write_all(b"a").is_err() {
            break;
        }
        let mut buf = [0u8; 4096];
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => answer.extend_from_slice(&buf[..n]),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(_) => break,
        }
    }
    answer
}

#[test]
fn deadlines_cut_off_silent_trickling_and_stalled_connections() {
    let emu = start_with(short_deadlines());
    let addr = emu.server.local_addr();

    // Silent: closed by the head deadline.
    let mut silent = open(addr, Attack::Silent);
    silent.set_read_timeout(Some(CUT_OFF)).unwrap();
    let started = Instant::now();
    let mut out = Vec::new();
    let _ = silent.read_to_end(&mut out);
    assert!(
        started.elapsed() < CUT_OFF,
        "a silent connection stayed open"
    );

    // A keep-alive connection that goes quiet after its answer: closed by the
    // head deadline, which starts again at the end of each answer.
    let mut quiet = TcpStream::connect(addr).unwrap();
    quiet
        .write_all(b"GET /v3/products HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    quiet.set_read_timeout(Some(CUT_OFF)).unwrap();
    let started = Instant::now();
    let mut out = Vec::new();
    let _ = quiet.read_to_end(&mut out);
    assert!(
        started.elapsed() < CUT_OFF,
        "an idle keep-alive connection stayed open"
    );
    assert!(
        out.starts_with(b"HTTP/1.1 401"),
        "{}",
        String::from_utf8_lossy(&out)
    );

    // A head that never ends: closed by the head deadline.
    let answer = trickle_until_cut_off(open(addr, Attack::TrickleHead));
    assert!(
        answer.is_empty() || answer.starts_with(b"HTTP/1.1 408"),
        "{}",
        String::from_utf8_lossy(&answer)
    );

    // A body that never ends: 408 from the body deadline, then closed.
    let answer = trickle_until_cut_off(open(addr, Attack::TrickleBody));
    let text = String::from_utf8_lossy(&answer);
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    assert!(text.contains("request_timeout"), "{text}");

    // A client that stops reading its answers: pipelined requests whose
    // answers fill the socket buffers (the client's kept small, so that the
    // kernel cannot absorb them all), then silence. The idle limit closes
    // the connection with answers still unsent.
    let requests = 40_000;
    let mut stalled = connect_with_small_receive_buffer(addr);
    stalled
        .set_write_timeout(Some(Duration::from_secs(2)))
        .unwrap();
    let pipelined = b"GET /v3/products HTTP/1.1\r\nHost: x\r\n\r\n".repeat(requests);
    let _ = stalled.write_all(&pipelined);
    std::thread::sleep(Duration::from_secs(4));
    stalled.set_read_timeout(Some(CUT_OFF)).unwrap();
    let mut answers = Vec::new();
    let started = Instant::now();
    let _ = stalled.read_to_end(&mut answers);
    assert!(
        started.elapsed() < CUT_OFF,
        "the stalled connection stayed open"
    );
    let answered = answers.windows(12).filter(|w| w == b"HTTP/1.1 401").count();
    assert!(
        answered > 0 && answered < requests,
        "{answered} of {requests} answered"
    );

    // Still serving.
    assert_eq!(emu.signed("GET", "/v3/products", "", b"").status, 200);
}

#[test]
fn a_full_server_makes_room_by_closing_the_oldest_idle_connection() {
    let emu = start_with(Config {
        max_connections: 8,
        ..Config::default()
    });
    let addr = emu.server.local_addr();
    let silent: Vec<TcpStream> = (0..8).map(|_| open(addr, Attack::Silent)).collect();
    std::thread::sleep(Duration::from_millis(300));
    // Served at once, long before the head deadline (10 s) would free a place.
    let started = Instant::now();
    assert_eq!(emu.signed("GET", "/v3/products", "", b"").status, 200);
    assert!(started.elapsed() < PROMPT);
    // The oldest silent connection made room; the newest still waits.
    let started = Instant::now();
    while !closed_by_server(&silent[0]) {
        assert!(
            started.elapsed() < PROMPT,
            "the oldest connection was not closed"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(silent[1..].iter().all(|s| !closed_by_server(s)));
}

#[test]
fn when_every_connection_is_handling_a_request_clients_are_refused_at_once() {
    let emu = start_with(Config {
        max_connections: 8,
        ..short_deadlines()
    });
    let addr = emu.server.local_addr();
    // Eight requests whose bodies never finish: all eight places are busy.
    let busy: Vec<TcpStream> = (0..8).map(|_| open(addr, Attack::TrickleBody)).collect();
    std::thread::sleep(Duration::from_millis(300));

    let started = Instant::now();
    let refused = emu.signed("GET", "/v3/products", "", b"");
    assert!(started.elapsed() < PROMPT, "a refusal must not wait");
    assert_eq!(refused.status, 503);
    assert_eq!(refused.header("retry-after"), Some("1"));
    assert_eq!(refused.json()["error"], "too_many_connections");

    // The body deadline frees the places.
    let started = Instant::now();
    loop {
        let answer = emu.signed("GET", "/v3/products", "", b"");
        if answer.status == 200 {
            break;
        }
        assert_eq!(answer.status, 503);
        assert!(started.elapsed() < CUT_OFF, "the places never came back");
        std::thread::sleep(Duration::from_millis(200));
    }
    drop(busy);
}
