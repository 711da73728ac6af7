//! Bad HTTP and large bodies over raw TCP: the emulator answers or closes the
//! connection, and keeps serving.

#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};
use std::time::Duration;

use common::{Emu, start, start_with};
use zephr_emulator::Config;

/// Writes `bytes`, then reads whatever comes back until the server closes or
/// goes quiet. Write errors are fine: the server may close early.
fn exchange(emu: &Emu, bytes: &[u8]) -> Vec<u8> {
    let mut stream = TcpStream::connect(emu.server.local_addr()).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_millis(1500)))
        .unwrap();
    let _ = stream.write_all(bytes);
    let _ = stream.shutdown(Shutdown::Write);
    let mut out = Vec::new();
    let _ = stream.read_to_end(&mut out);
    out
}

fn alive(emu: &Emu) {
    assert_eq!(emu.signed("GET", "/v3/products", "", b"").status, 200);
}

/// A small deterministic generator, so failures can be replayed.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
}

#[test]
fn garbage_and_malformed_requests_do_not_take_the_server_down() {
    let emu = start();
    let cases: Vec<Vec<u8>> = vec![
        b"".to_vec(),
        b"\r\n\r\n".to_vec(),
        b"GET\r\n\r\n".to_vec(),
        b"GET / HTTP/9.9\r\n\r\n".to_vec(),
        b"G\x00T /v3/users HTTP/1.1\r\nHost: x\r\n\r\n".to_vec(),
        b"GET /v3/users HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n".to_vec(),
        b"GET /v3/users HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n".to_vec(),
        b"POST /v3/users HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nshort".to_vec(),
        b"POST /v3/users HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n".to_vec(),
        b"GET /v3/users/%ff%fe HTTP/1.1\r\nHost: x\r\nAuthorization: ZEPHR-HMAC-SHA256 \xff:\xfe:1:2\r\n\r\n".to_vec(),
        format!("GET /{} HTTP/1.1\r\nHost: x\r\n\r\n", "a/".repeat(50_000)).into_bytes(),
        format!("GET / HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n", "b".repeat(200_000)).into_bytes(),
        [b"GET / HTTP/1.1\r\n".as_slice(), &b"X-A: 1\r\n".repeat(500), b"\r\n"].concat(),
    ];
    for case in &cases {
        let _ = exchange(&emu, case);
    }
    alive(&emu);
    let mut rng = Lcg(0x5eed);
    for _ in 0..200 {
        let len = (rng.next() % 600) as usize;
        let mut bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        if rng.next().is_multiple_of(2) {
            bytes.splice(0..0, b"POST /v3/users HTTP/1.1\r\n".iter().copied());
        }
        let _ = exchange(&emu, &bytes);
    }
    alive(&emu);
    // A bad request line gets a 400 from the HTTP layer.
    let answer = exchange(&emu, b"NOT-HTTP\r\n\r\n");
    assert!(
        answer.is_empty() || answer.starts_with(b"HTTP/1.1 400"),
        "{}",
        String::from_utf8_lossy(&answer)
    );
}

#[test]
fn bodies_over_the_limit_get_413() {
    let emu = start_with(Config {
        max_body_bytes: 64 * 1024,
        ..Config::default()
    });
    let big = vec![b'x'; 65 * 1024];
    let answer = emu.signed("POST", "/v3/users", "", &big);
    assert_eq!(answer.status, 413);
    assert_eq!(answer.json()["error"], "payload_too_large");
    // Declared larger than the limit: refused before the body is read.
    let raw = exchange(
        &emu,
        b"POST /v3/users HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000000\r\n\r\n{",
    );
    assert!(
        raw.starts_with(b"HTTP/1.1 413"),
        "{}",
        String::from_utf8_lossy(&raw)
    );
    // Chunked, without a length, over the limit.
    let mut chunked =
        b"POST /v3/users HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    for _ in 0..80 {
        chunked.extend_from_slice(b"400\r\n");
        chunked.extend_from_slice(&[b'y'; 1024]);
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    let raw = exchange(&emu, &chunked);
    assert!(
        raw.starts_with(b"HTTP/1.1 413"),
        "{}",
        String::from_utf8_lossy(&raw)
    );
    // Just under the limit is read (and then refused for its signature-free JSON only).
    let ok = emu.signed("POST", "/v3/users", "", &vec![b' '; 60 * 1024]);
    assert_eq!(ok.status, 400);
    alive(&emu);
}

#[test]
fn many_connections_at_once() {
    let emu = start();
    let addr = emu.server.local_addr();
    let idle: Vec<TcpStream> = (0..50).map(|_| TcpStream::connect(addr).unwrap()).collect();
    let workers: Vec<_> = (0..8)
        .map(|_| {
            std::thread::spawn(move || {
                for _ in 0..10 {
                    let mut stream = TcpStream::connect(addr).unwrap();
                    stream
                        .write_all(
                            b"GET /v3/products HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                        )
                        .unwrap();
                    let mut out = Vec::new();
                    stream.read_to_end(&mut out).unwrap();
                    assert!(out.starts_with(b"HTTP/1.1 401"));
                }
            })
        })
        .collect();
    for worker in workers {
        worker.join().unwrap();
    }
    drop(idle);
    alive(&emu);
}
