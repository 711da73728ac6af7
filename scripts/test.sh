#!/usr/bin/env bash
# Runs every test. Usage: bash scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh

step() { printf '\n==> %s\n' "$*"; }

step "generated files are fresh (spec/zephr-admin-api.json)"
cargo run -q -p zephr-codegen --locked -- --check
step "format"
cargo fmt --all -- --check
step "lints"
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo clippy -p zephr-admin-wasm --target wasm32-unknown-unknown --locked -- -D warnings
step "API docs: cargo doc with warnings denied (and as docs.rs builds them)"
bash scripts/docs.sh
step "Rust tests (unit, integration, doc)"
cargo test --workspace --locked
step "fuzz smoke pass: every target of fuzz/ for 20 s (nightly, cargo-fuzz)"
bash scripts/fuzz.sh
step "core builds for wasm32-unknown-unknown"
cargo check -p zephr-admin --target wasm32-unknown-unknown --locked
step "core tests under wasm32-unknown-unknown in Node (wasm-bindgen-test): each native test also passes there"
bash scripts/wasm-tests.sh
step "npm package: wasm build, size budget, TypeScript, native addon (napi-rs)"
(cd npm/zephr-admin && node scripts/build.mjs)
step "native addon for every platform: cross builds, header checks, platform tarballs, runs under each platform's Node"
bash scripts/platforms.sh
step "npm package tests, wasm backend (Node $(node --version), workerd, Deno, Bun; backend parity, packed tarballs)"
(cd npm/zephr-admin && ZEPHR_BACKEND=wasm node --test --test-reporter=spec test/*.test.mjs)
step "npm package tests again, native backend: the suites that pick their backend"
(cd npm/zephr-admin && ZEPHR_BACKEND=native node --test --test-reporter=spec $(grep -l 'support/backend.mjs' test/*.test.mjs))
step "consumers: packed tarballs built and run by wrangler/workerd, Vite/Chromium, esbuild, Next.js, Bun, Deno, Node 20/22/24, TypeScript; README snippets"
bash scripts/consumers.sh
step "all tests passed"
