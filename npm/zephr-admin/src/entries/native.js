// Finds and loads the native addon (napi-rs, Node-API 8) for this platform: the
// platform package `zephr-admin-<platform>` (an optional dependency), or the
// same file beside this package during development. Only the platforms in
// PREBUILT are ever looked for: no other package name is loaded or suggested.
// Never throws: answers `{ addon }`, or `{ platform, error? }` where `error` is
// set only when an installed addon failed to load.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

/** napi-rs names of the platforms with a prebuilt addon (`napi.targets`; scripts/build.mjs checks). */
export const PREBUILT = ["linux-x64-gnu"];

// undefined where there is no module URL (a bundle converted to CommonJS): then wasm.
let require;
try {
  require = createRequire(import.meta.url);
} catch {
  require = undefined;
}

/** The napi-rs platform name: `linux-x64-gnu`, `darwin-arm64`, `win32-x64-msvc`, ... */
export function nativePlatform() {
  const { platform, arch } = process;
  if (platform === "linux") return `linux-${arch}-${isMusl() ? "musl" : "gnu"}`;
  if (platform === "win32") return `win32-${arch}-msvc`;
  return `${platform}-${arch}`;
}

// As napi-rs decides: ldd names musl on musl systems; else the process report
// (without its slow network section) has a glibc version on glibc systems.
function isMusl() {
  try {
    return readFileSync("/usr/bin/ldd", "utf8").includes("musl");
  } catch {
    // no ldd: ask the process report
  }
  try {
    const report = process.report;
    const excludeNetwork = report.excludeNetwork;
    report.excludeNetwork = true;
    const header = report.getReport().header;
    report.excludeNetwork = excludeNetwork;
    return !header.glibcVersionRuntime;
  } catch {
    return false;
  }
}

export function loadNative() {
  const platform = nativePlatform();
  if (!require || !PREBUILT.includes(platform)) return { platform };
  const name = `zephr-admin-${platform}`;
  for (const id of [name, `../../${name}/zephr-admin.${platform}.node`]) {
    let file;
    try {
      file = require.resolve(id);
    } catch {
      continue; // not installed
    }
    try {
      const addon = require(file);
      if (typeof addon.signRequest !== "function") throw new Error("not a zephr-admin addon");
      return { addon, platform };
    } catch (e) {
      return { platform, error: String(e?.message ?? e).split("\n")[0] };
    }
  }
  return { platform };
}

/** Why the native backend is not in use and what to do, for a warning or an error. */
export function howToGetNative(platform, error) {
  const name = `zephr-admin-${platform}`;
  if (!PREBUILT.includes(platform)) {
    return `zephr-admin: there is no prebuilt native addon for ${platform} (only for ${PREBUILT.join(", ")}); ` +
      'use "zephr-admin" or "zephr-admin/wasm", which run the wasm backend.';
  }
  if (error) {
    return `zephr-admin: the native addon ${name} is installed but did not load (${error}); using the wasm backend. ` +
      `Reinstall ${name} for this runtime and platform, or remove it.`;
  }
  return `zephr-admin: the native addon ${name} is not installed. It is an optional dependency of zephr-admin: ` +
    "install without --omit=optional, or use \"zephr-admin\" or \"zephr-admin/wasm\" (the wasm backend).";
}
