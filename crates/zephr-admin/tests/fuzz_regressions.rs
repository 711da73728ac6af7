//! Replays the committed fuzz inputs (`fuzz/regressions/<target>/`) through
//! the same checks the fuzz targets run, so every input that once broke an
//! invariant stays a plain test on stable Rust.

#![allow(clippy::unwrap_used, clippy::panic)]

#[path = "../../../fuzz/src/checks.rs"]
mod checks;

use std::path::Path;

fn replay(target: &str, check: fn(&[u8])) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/regressions")
        .join(target);
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let data = std::fs::read(&path).unwrap();
        let outcome = std::panic::catch_unwind(|| check(&data));
        assert!(outcome.is_ok(), "{target}: {} fails", path.display());
        count += 1;
    }
    assert!(count > 0, "no inputs for {target}");
}

#[test]
fn authorization() {
    replay("authorization", checks::authorization);
}

#[test]
fn sign() {
    replay("sign", checks::sign_parts);
}

#[test]
fn prepare() {
    replay("prepare", checks::prepare);
}

#[test]
fn response() {
    replay("response", checks::response);
}

#[test]
fn retry() {
    replay("retry", checks::retry);
}

#[test]
fn base_url() {
    replay("base_url", checks::base_url);
}

#[test]
fn paging() {
    replay("paging", checks::paging);
}
