//! Replays the committed fuzz inputs (`fuzz/regressions/<target>/`) through
//! the same checks the fuzz targets run, so every input that once broke an
//! invariant stays a plain test on stable Rust.

#![allow(clippy::unwrap_used, clippy::panic)]

// Under wasm32, `#[test]` is wasm-bindgen-test's: the tests run in Node (scripts/wasm-tests.sh).
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

#[path = "../../../fuzz/src/checks.rs"]
mod checks;

fn replay(target: &str, check: fn(&[u8])) {
    let dir = format!(
        "{}/../../fuzz/regressions/{target}",
        env!("CARGO_MANIFEST_DIR")
    );
    let mut count = 0;
    for name in files::list(&dir) {
        let path = format!("{dir}/{name}");
        let data = files::read(&path);
        // Under wasm32 a panic aborts the test instead of unwinding: it still fails.
        let outcome = std::panic::catch_unwind(|| check(&data));
        assert!(outcome.is_ok(), "{target}: {path} fails");
        count += 1;
    }
    assert!(count > 0, "no inputs for {target}");
}

/// The inputs from the file system: `std::fs` natively, Node's `fs` under
/// wasm32 (where `std::fs` is unsupported), so the replay runs on both.
#[cfg(not(target_arch = "wasm32"))]
mod files {
    pub fn list(dir: &str) -> Vec<String> {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().into_string().unwrap())
            .collect()
    }

    pub fn read(path: &str) -> Vec<u8> {
        std::fs::read(path).unwrap()
    }
}

#[cfg(target_arch = "wasm32")]
mod files {
    use wasm_bindgen::prelude::wasm_bindgen;

    #[wasm_bindgen(module = "node:fs")]
    extern "C" {
        #[wasm_bindgen(js_name = readdirSync)]
        pub fn list(dir: &str) -> Vec<String>;
        #[wasm_bindgen(js_name = readFileSync)]
        pub fn read(path: &str) -> Vec<u8>;
    }
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
