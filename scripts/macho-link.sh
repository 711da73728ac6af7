#!/usr/bin/env bash
# The linker of the macOS addons (scripts/build-platforms.sh sets it, with
# -C linker-flavor=ld64.lld): LLVM's Mach-O lld, which ships with rustc as rust-lld (rustc puts
# it on the linker's PATH) and honours the exported-symbols list rustc passes, so the dylib
# exports napi_register_module_v1 and nothing else. rustc hands it ld64-style arguments
# (`-flavor darwin` first, the SDK stubs as -syslibroot).
set -euo pipefail
args=()
for arg in "$@"; do
  # napi-build asks for `-Wl -undefined dynamic_lookup`, split for a C compiler driver: lld
  # takes `-undefined dynamic_lookup` as it is and rejects the lone `-Wl`.
  [ "$arg" = -Wl ] || args+=("$arg")
done
# Load only the libraries the addon uses: Rust's std also asks for libiconv.
exec rust-lld "${args[@]}" -dead_strip_dylibs
