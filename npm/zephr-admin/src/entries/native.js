// Finds and loads the native addon (napi-rs, Node-API 8) for this platform: the
// platform package `zephr-admin-<platform>` (an optional dependency), or the
// same file beside this package during development. Only the platforms in
// PREBUILT are ever looked for: no other package name is loaded or suggested.
// Never throws: answers `{ addon }`, or `{ platform, error? }` where `error` is
// set only when an installed addon failed to load.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

/** Names of the platforms with a prebuilt addon, in the order of `napi.targets`
 * (scripts/build.mjs checks). */
export const PREBUILT = [
  "linux-x64-gnu",
  "linux-arm64-gnu",
  "linux-x64-musl",
  "linux-arm64-musl",
  "darwin-arm64",
  "darwin-x64",
  "win32-x64",
];

// undefined where there is no module URL (a bundle converted to CommonJS): then wasm.
let require;
try {
  require = createRequire(import.meta.url);
} catch {
  require = undefined;
}

/** The platform name: `linux-x64-gnu`, `linux-arm64-musl`, `darwin-arm64`, `win32-x64`, ...
 * (Windows has one name: Node there is always MSVC-built, and a Node-API addon does not
 * depend on the C runtime Node was built with.) */
export function nativePlatform() {
  const { platform, arch } = process;
  if (platform === "linux") return `linux-${arch}-${isMusl() ? "musl" : "gnu"}`;
  return `${platform}-${arch}`;
}

// Asks the running process, not the system's files: an `ldd` or a libc on disk may belong
// to another libc than the one this Node uses (a glibc host running a musl Node, a
// container image with both). First the process report: glibc Nodes name their glibc.
// Then the libraries mapped into this process, then the ELF interpreter of the Node
// binary. When neither names musl, a Node whose report has no glibc is still musl (a
// Linux Node has one of the two).
function isMusl() {
  let report;
  try {
    const excludeNetwork = process.report.excludeNetwork;
    process.report.excludeNetwork = true; // the network section is slow and not needed
    report = process.report.getReport();
    process.report.excludeNetwork = excludeNetwork;
  } catch {
    report = undefined;
  }
  if (report?.header?.glibcVersionRuntime) return false;
  for (const file of ["/proc/self/maps", process.execPath]) {
    try {
      if (/ld-musl|linux-musl|libc\.musl/.test(file === process.execPath ? elfInterpreter(file) : readFileSync(file, "latin1"))) return true;
    } catch {
      // not readable here: try the next source
    }
  }
  return report?.header !== undefined;
}

/** The PT_INTERP path of a 64-bit little-endian ELF file, or "" when it has none. */
function elfInterpreter(file) {
  const elf = readFileSync(file);
  if (elf.readUInt32BE(0) !== 0x7f454c46 || elf[4] !== 2 || elf[5] !== 1) return "";
  const phoff = Number(elf.readBigUInt64LE(0x20));
  const phentsize = elf.readUInt16LE(0x36);
  const phnum = elf.readUInt16LE(0x38);
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * phentsize;
    if (elf.readUInt32LE(at) === 3) {
      const offset = Number(elf.readBigUInt64LE(at + 8));
      const size = Number(elf.readBigUInt64LE(at + 32));
      return elf.subarray(offset, offset + size).toString("latin1").replace(/\0+$/, "");
    }
  }
  return "";
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
