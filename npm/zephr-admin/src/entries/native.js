// Finds and loads the native addon (napi-rs, Node-API 8) for this platform: the
// platform package `zephr-admin-<platform>` (an optional dependency), or the
// same file beside this package during development. Never throws: answers
// `{ addon }` or `{ error, platform }`.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

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
  const errors = [];
  for (const id of [`zephr-admin-${platform}`, `../../zephr-admin-${platform}/zephr-admin.${platform}.node`]) {
    try {
      const addon = require(id);
      if (typeof addon.signRequest !== "function") throw new Error("not a zephr-admin addon");
      return { addon, platform };
    } catch (e) {
      errors.push(`${id}: ${e?.code ?? e?.message ?? e}`);
    }
  }
  return { error: errors.join("; "), platform };
}

/** How to get the native backend, for a warning or an error. */
export function howToGetNative(platform, error) {
  return `zephr-admin: the native backend (zephr-admin-${platform}) could not be loaded (${error}). ` +
    `Install it with \`npm install zephr-admin-${platform}\` (an optional dependency of zephr-admin: ` +
    "do not install with --omit=optional), or use a platform that has a prebuilt addon.";
}
