#!/usr/bin/env bash
# The core's unit and integration tests compiled for wasm32-unknown-unknown and run
# under Node by wasm-bindgen-test-runner (the runner set in .cargo/config.toml), to
# catch what differs only there: the clock, entropy, 32-bit usize.
#
# Fails when a test fails, when a test binary runs no test under wasm, or when a test
# that runs natively did not run under wasm (a file that lacks the wasm `test`
# import would otherwise pass silently: the runner reports success on no tests).
# Usage: bash scripts/wasm-tests.sh
set -euo pipefail
cd "$(dirname "$0")/.."

command -v wasm-bindgen-test-runner >/dev/null \
  || { echo "wasm-tests: wasm-bindgen-test-runner is missing (bash scripts/setup.sh installs wasm-bindgen-cli)" >&2; exit 1; }

# Doc tests stay native: built for wasm32 the runner finds none of them.
args=(-p zephr-admin --lib --tests --locked)
# Tests that cannot run under wasm32, as "<test target>::<test name>" (none today).
excluded=()

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Without debug info: the runner passes every test binary through wasm-bindgen, and at
# 30-40 MB each that is most of the step's time (panics still name file and line).
CARGO_PROFILE_TEST_DEBUG=0 \
  cargo test "${args[@]}" --target wasm32-unknown-unknown --no-fail-fast 2>&1 | tee "$tmp/wasm.log"
# The native list of the same tests (built already by the workspace's test step).
cargo test "${args[@]}" -- --list --format terse >"$tmp/native.log" 2>&1

# "<test target>::<test name>" per test; cargo's "Running" line names the target
# (src/lib.rs, tests/call.rs, ...). The runner prints "test NAME ... ok" per passed
# test, the native list "NAME: test".
tests_of() {
  awk -v kind="$1" '
    /^ *Running / { target = ($2 == "unittests") ? $3 : $2; next }
    kind == "wasm" && /^test .* \.\.\. ok$/ { print target "::" $2 }
    kind == "native" && /^[^ ]+: test$/ { sub(/: test$/, ""); print target "::" $0 }
  ' "$2" | sort -u
}
tests_of wasm "$tmp/wasm.log" >"$tmp/wasm"
tests_of native "$tmp/native.log" >"$tmp/native"
printf '%s\n' "${excluded[@]+"${excluded[@]}"}" | sed '/^$/d' | sort -u >"$tmp/excluded"

ran=$(wc -l <"$tmp/wasm")
native=$(wc -l <"$tmp/native")
status=0
if [ "$ran" -eq 0 ] || [ "$native" -eq 0 ]; then
  echo "wasm-tests: no test ran under wasm32 ($ran) or none was listed natively ($native)" >&2
  status=1
fi
missing=$(comm -23 "$tmp/native" "$tmp/wasm" | comm -23 - "$tmp/excluded")
if [ -n "$missing" ]; then
  printf 'wasm-tests: these tests run natively but did not run under wasm32:\n%s\n' "$missing" >&2
  status=1
fi
for target in $(sed 's/::.*//' "$tmp/native" | sort -u); do
  if ! grep -q "^$target::" "$tmp/wasm"; then
    echo "wasm-tests: $target ran no test under wasm32" >&2
    status=1
  fi
done
echo "wasm-tests: $ran tests passed under wasm32 (Node $(node --version)); $native natively, $(wc -l <"$tmp/excluded") excluded"
exit "$status"
