#!/usr/bin/env bash
# Installs what the tests need on a fresh machine; skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  echo "setup: adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# Nightly rustdoc builds the docs as docs.rs does (scripts/docs.sh); the fuzz suite uses it too.
if ! rustup run nightly rustc --version >/dev/null 2>&1; then
  echo "setup: installing the nightly toolchain"
  rustup toolchain install nightly --profile minimal
fi

# wasm-bindgen-cli must be exactly the version of the wasm-bindgen crate in Cargo.lock.
pinned=$(grep -A1 '^name = "wasm-bindgen"$' Cargo.lock | sed -n 's/^version = "\(.*\)"$/\1/p')
installed=$(wasm-bindgen --version 2>/dev/null | cut -d' ' -f2 || true)
if [ "$installed" != "$pinned" ]; then
  echo "setup: installing wasm-bindgen-cli $pinned"
  # --locked can fail when the registry lacks one newest transitive version.
  cargo install wasm-bindgen-cli --version "$pinned" --locked \
    || cargo install wasm-bindgen-cli --version "$pinned"
fi

command -v sha256sum >/dev/null || { echo "setup: sha256sum (coreutils) is required" >&2; exit 1; }
command -v node >/dev/null || { echo "setup: Node.js (20 or later) is required" >&2; exit 1; }

# npm packages of the JS package (binaryen for wasm-opt, typescript, @napi-rs/cli for the
# native addon, miniflare/workerd, deno, bun). Install scripts stay off; the one we need
# (bun's binary) runs explicitly.
if [ ! -d npm/zephr-admin/node_modules ] || [ npm/zephr-admin/package-lock.json -nt npm/zephr-admin/node_modules/.package-lock.json ]; then
  echo "setup: npm ci (npm/zephr-admin)"
  (cd npm/zephr-admin && npm ci --ignore-scripts --no-audit --no-fund)
fi
# bun's npm package ships a placeholder until its install script puts the binary in place.
if ! npm/zephr-admin/node_modules/bun/bin/bun.exe --version >/dev/null 2>&1; then
  (cd npm/zephr-admin && node node_modules/bun/install.js)
fi
