#!/usr/bin/env bash
# Installs what the tests need on a fresh machine; skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  echo "setup: adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi
command -v sha256sum >/dev/null || { echo "setup: sha256sum (coreutils) is required" >&2; exit 1; }
