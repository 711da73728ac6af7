#!/usr/bin/env bash
# API documentation: rustdoc of the core and the Rust clients with every
# warning denied (broken intra-doc links, invalid HTML in generated docs,
# missing docs). The doc examples run with `cargo test`.
#   bash scripts/docs.sh
set -euo pipefail
cd "$(dirname "$0")/.."

RUSTDOCFLAGS="-D warnings" cargo doc -p zephr-admin -p zephr-admin-client --no-deps --locked
# As docs.rs builds it: every feature, with feature badges (nightly rustdoc,
# installed by scripts/setup.sh).
RUSTDOCFLAGS="--cfg docsrs -D warnings" CARGO_TARGET_DIR=target/docsrs \
  cargo +nightly doc -p zephr-admin --all-features --no-deps --locked
