#!/usr/bin/env bash
# The fuzz suite (fuzz/): installs the nightly toolchain and cargo-fuzz when
# missing, then runs every target.
#   bash scripts/fuzz.sh          smoke pass: each target for 20 s (CI)
#   bash scripts/fuzz.sh --long   each target for 30 min (FUZZ_SECONDS to change)
#   bash scripts/fuzz.sh --long sign   one target
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=20
if [[ "${1:-}" == "--long" ]]; then
  seconds="${FUZZ_SECONDS:-1800}"
  shift
fi

if ! rustup run nightly rustc --version >/dev/null 2>&1; then
  rustup toolchain install nightly --profile minimal
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked || cargo install cargo-fuzz
fi

targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
  mapfile -t targets < <(cd fuzz && cargo +nightly fuzz list)
fi
for target in "${targets[@]}"; do
  printf '\n--> fuzz target %s (%s s)\n' "$target" "$seconds"
  # Committed regression inputs are replayed first, as part of the corpus.
  mkdir -p "fuzz/corpus/$target"
  (cd fuzz && cargo +nightly fuzz run "$target" "corpus/$target" "regressions/$target" -- \
    -max_total_time="$seconds" -verbosity=0 -print_funcs=0 -print_final_stats=1)
done
