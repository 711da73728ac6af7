#!/usr/bin/env bash
# Builds the native addon (bindings/node) for every platform package the npm package lists
# and puts each one in npm/zephr-admin-<platform>/zephr-admin.<platform>.node:
#   linux-x64-gnu, linux-arm64-gnu    cargo-zigbuild, glibc 2.17
#   linux-x64-musl, linux-arm64-musl  cargo-zigbuild (zig links against musl)
#   darwin-arm64 (macOS 11), darwin-x64 (macOS 10.13)  rust-lld against zig's libSystem stubs,
#                                     no Apple SDK needed
#   win32-x64                         x86_64-pc-windows-gnu, mingw-w64
# Installs its own toolchain first (rustup targets, apt mingw, zig and cargo-zigbuild from
# PyPI into a venv cached under ~/.cache), skipping what is already there. The macOS linker,
# rust-lld, comes with rustc.
# Usage: bash scripts/build-platforms.sh [platform ...]   (default: all)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

ZIGLANG_VERSION=0.17.1
CARGO_ZIGBUILD_VERSION=0.24.1
cache="${XDG_CACHE_HOME:-$HOME/.cache}/zephr-admin-platforms"
venv="$cache/venv"

# platform → Rust target (what cargo-zigbuild is given; a .2.17 suffix sets the glibc floor).
declare -A TARGET=(
  [linux-x64-gnu]=x86_64-unknown-linux-gnu.2.17
  [linux-arm64-gnu]=aarch64-unknown-linux-gnu.2.17
  [linux-x64-musl]=x86_64-unknown-linux-musl
  [linux-arm64-musl]=aarch64-unknown-linux-musl
  [darwin-arm64]=aarch64-apple-darwin
  [darwin-x64]=x86_64-apple-darwin
  [win32-x64]=x86_64-pc-windows-gnu
)
ALL=(linux-x64-gnu linux-arm64-gnu linux-x64-musl linux-arm64-musl darwin-arm64 darwin-x64 win32-x64)
# The minimum macOS each darwin addon declares (zig's default would be the newest, 15.0).
declare -A MACOS_MIN=([darwin-arm64]=11.0 [darwin-x64]=10.13)

platforms=("$@")
[ ${#platforms[@]} -gt 0 ] || platforms=("${ALL[@]}")
for p in "${platforms[@]}"; do
  [ -n "${TARGET[$p]:-}" ] || { echo "build-platforms: unknown platform $p (known: ${ALL[*]})" >&2; exit 2; }
done

# --- toolchain -------------------------------------------------------------------------
need_targets=()
installed_targets=$(rustup target list --installed)
for p in "${platforms[@]}"; do
  t=${TARGET[$p]%.2.17}
  grep -qx "$t" <<<"$installed_targets" || need_targets+=("$t")
done
if [ ${#need_targets[@]} -gt 0 ]; then
  echo "build-platforms: rustup target add ${need_targets[*]}"
  rustup target add "${need_targets[@]}"
fi

if [[ " ${platforms[*]} " == *" win32-x64 "* ]] && ! command -v x86_64-w64-mingw32-gcc >/dev/null; then
  echo "build-platforms: installing mingw-w64 (apt)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gcc-mingw-w64-x86-64 >/dev/null
fi

if ! "$venv/bin/python" -m ziglang version 2>/dev/null | grep -qx "$ZIGLANG_VERSION" \
  || [ "$("$venv/bin/cargo-zigbuild" --version 2>/dev/null | cut -d' ' -f2)" != "$CARGO_ZIGBUILD_VERSION" ]; then
  echo "build-platforms: installing ziglang $ZIGLANG_VERSION and cargo-zigbuild $CARGO_ZIGBUILD_VERSION (PyPI) into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check "ziglang==$ZIGLANG_VERSION" "cargo-zigbuild==$CARGO_ZIGBUILD_VERSION"
fi
# cargo-zigbuild finds zig through `python3 -m ziglang`: the venv's python3 comes first.
export PATH="$venv/bin:$PATH"

# The macOS addons link against the libSystem stubs zig ships (text-based .tbd files), laid
# out as an SDK for rustc's SDKROOT, beside the other libraries Rust's std asks for: libc and
# libm are libSystem, as in Apple's SDK; libiconv is an empty stub (the addon uses nothing of
# it, and the linker drops it). The arm64e.x1 entries of zig's stub are dropped: lld does not
# know that architecture and would refuse the whole file.
macos_sdk="$cache/macos-sdk-zig-$ZIGLANG_VERSION/MacOSX.sdk"
if [[ " ${platforms[*]} " == *" darwin-"* ]] && [ ! -f "$macos_sdk/usr/lib/libSystem.tbd" ]; then
  echo "build-platforms: macOS library stubs from zig into $macos_sdk"
  rm -rf "$macos_sdk.partial" && mkdir -p "$macos_sdk.partial/usr/lib"
  "$venv/bin/python" - "$macos_sdk.partial/usr/lib" <<'PYTHON'
import os, re, sys, ziglang
darwin = os.path.join(os.path.dirname(ziglang.__file__), "lib", "libc", "darwin")
tbd = open(os.path.join(darwin, "libSystem.tbd")).read()
tbd = re.sub(r",\s*arm64e\.x1-[a-z]+|arm64e\.x1-[a-z]+,\s*", "", tbd)
assert "arm64e.x1" not in tbd
open(os.path.join(sys.argv[1], "libSystem.tbd"), "w").write(tbd)
PYTHON
  ln -s libSystem.tbd "$macos_sdk.partial/usr/lib/libc.tbd"
  ln -s libSystem.tbd "$macos_sdk.partial/usr/lib/libm.tbd"
  cat >"$macos_sdk.partial/usr/lib/libiconv.tbd" <<'TBD'
--- !tapi-tbd
tbd-version:     4
targets:         [ x86_64-macos, arm64-macos ]
install-name:    '/usr/lib/libiconv.2.dylib'
current-version: 7
compatibility-version: 7
...
TBD
  rm -rf "$macos_sdk" && mv "$macos_sdk.partial" "$macos_sdk"
fi

# napi-build insists on a libnode.dll at build time for Windows targets, even though the
# addon resolves Node-API at run time (dyn-symbols) and imports nothing from it.
libnode="$cache/libnode-stub"
if [[ " ${platforms[*]} " == *" win32-x64 "* ]] && [ ! -f "$libnode/libnode.dll" ]; then
  mkdir -p "$libnode"
  echo 'int zephr_admin_libnode_stub(void) { return 0; }' >"$libnode/stub.c"
  x86_64-w64-mingw32-gcc -shared -o "$libnode/libnode.dll" "$libnode/stub.c"
fi

# --- builds ----------------------------------------------------------------------------
export CARGO_PROFILE_RELEASE_STRIP=symbols
# No build-machine paths in the artefacts (panic locations of dependencies and of this repo).
remap="--remap-path-prefix=${CARGO_HOME:-$HOME/.cargo}/registry/src=/cargo --remap-path-prefix=$root=/zephr-admin"

for p in "${platforms[@]}"; do
  target=${TARGET[$p]}
  triple=${target%.2.17}
  out="npm/zephr-admin-$p/zephr-admin.$p.node"
  start=$(date +%s)
  case $p in
    linux-*-musl)
      # A cdylib for musl needs the static CRT off; zig then links it against musl's libc.so.
      RUSTFLAGS="-C target-feature=-crt-static $remap" \
        cargo zigbuild --locked --release -q -p zephr-admin-node --target "$target"
      lib="target/$triple/release/libzephr_admin_node.so" ;;
    linux-*)
      RUSTFLAGS="$remap" cargo zigbuild --locked --release -q -p zephr-admin-node --target "$target"
      lib="target/$triple/release/libzephr_admin_node.so" ;;
    darwin-*)
      # rust-lld (scripts/macho-link.sh), unlike zig's Mach-O linker, honours the
      # exported-symbols list rustc passes: the dylib exports the Node-API entry point only,
      # and arm64 gets lld's ad-hoc signature. The install name is the file's, not its build
      # path.
      MACOSX_DEPLOYMENT_TARGET=${MACOS_MIN[$p]} SDKROOT="$macos_sdk" \
        RUSTFLAGS="$remap -C linker=$root/scripts/macho-link.sh -C linker-flavor=ld64.lld -C link-arg=-install_name -C link-arg=@rpath/zephr-admin.$p.node" \
        cargo build --locked --release -q -p zephr-admin-node --target "$target"
      lib="target/$triple/release/libzephr_admin_node.dylib" ;;
    win32-*)
      LIBNODE_PATH="$libnode" RUSTFLAGS="$remap" \
        cargo build --locked --release -q -p zephr-admin-node --target "$target"
      lib="target/$triple/release/zephr_admin_node.dll" ;;
  esac
  cp "$lib" "$out"
  echo "build-platforms: $out ($(stat -c %s "$out") B, $(($(date +%s) - start)) s)"
done
