// Builds the package: the core for wasm32 → wasm-bindgen (the version pinned in
// Cargo.lock) → wasm-opt -Oz (npm binaryen) → TypeScript → dist/, plus the module's
// bytes inlined as base64 (dist/wasm/inline.js) for the server entries. Fails when the
// wasm module and its JS glue exceed the size budget. Then the native addon
// (napi-rs, @napi-rs/cli) for this machine's platform, into its platform package
// `../zephr-admin-<platform>/`; its generated loader and declarations stay in
// target/napi (internal), and the declarations must satisfy the backend contract.
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";

// Raised from 100 KB when webhook verification joined the module (+~11 KB gzipped), then
// from 110 KB when the call engine (retries, paging, typed messages) moved in (+~21 KB).
const BUDGET_GZIP_BYTES = 128 * 1024;
const pkg = dirname(dirname(fileURLToPath(import.meta.url)));
const root = join(pkg, "..", "..");
const dist = join(pkg, "dist");
const bin = (name) => join(pkg, "node_modules", ".bin", name);
const run = (cmd, args, cwd = root) => execFileSync(cmd, args, { cwd, stdio: ["ignore", "inherit", "inherit"] });

const lock = readFileSync(join(root, "Cargo.lock"), "utf8");
const pinned = /name = "wasm-bindgen"\nversion = "([^"]+)"/.exec(lock)?.[1];
const installed = execFileSync("wasm-bindgen", ["--version"], { encoding: "utf8" }).trim().split(" ")[1];
if (pinned !== installed) {
  throw new Error(`wasm-bindgen-cli ${installed} does not match wasm-bindgen ${pinned} in Cargo.lock`);
}

run("cargo", ["build", "--locked", "-p", "zephr-admin-wasm", "--target", "wasm32-unknown-unknown", "--profile", "wasm-release"]);
rmSync(dist, { recursive: true, force: true });
const wasmDir = join(dist, "wasm");
mkdirSync(wasmDir, { recursive: true });
run("wasm-bindgen", [
  "--target", "web", "--out-dir", wasmDir, "--out-name", "zephr_admin_wasm",
  join(root, "target", "wasm32-unknown-unknown", "wasm-release", "zephr_admin_wasm.wasm"),
]);
const wasmFile = join(wasmDir, "zephr_admin_wasm_bg.wasm");
run(bin("wasm-opt"), ["-Oz", "--strip-debug", "--strip-producers", wasmFile, "-o", wasmFile]);

// Node, Deno, Bun and bundles made for them read no file: the module travels as text.
writeFileSync(join(wasmDir, "inline.js"), `export default ${JSON.stringify(readFileSync(wasmFile).toString("base64"))};\n`);

run(bin("tsc"), ["-p", "."], pkg);
cpSync(join(pkg, "src", "entries"), dist, { recursive: true });
// The entries' types are the package's types.
for (const entry of ["entry-node", "entry-auto", "entry-native", "entry-workerd", "entry-edge", "entry-browser"]) {
  writeFileSync(join(dist, `${entry}.d.ts`), 'export * from "./index.js";\n');
}

const glue = readFileSync(join(wasmDir, "zephr_admin_wasm.js"));
const module = readFileSync(wasmFile);
const gzipped = gzipSync(module, { level: 9 }).length + gzipSync(glue, { level: 9 }).length;
const report = `wasm ${module.length} B + glue ${glue.length} B = ${gzipped} B gzipped (budget ${BUDGET_GZIP_BYTES} B)`;
console.log(`zephr-admin: ${report}`);
writeFileSync(join(dist, "size.txt"), report + "\n");
if (gzipped > BUDGET_GZIP_BYTES) {
  throw new Error(`size budget exceeded: ${report}`);
}

// The native addon for this platform, when the package has a target for it.
const { PREBUILT, nativePlatform } = await import(pathToFileURL(join(pkg, "src", "entries", "native.js")).href);
const { PLATFORMS, targetPlatforms } = await import(pathToFileURL(join(pkg, "scripts", "pack.mjs")).href);
const manifest = JSON.parse(readFileSync(join(pkg, "package.json"), "utf8"));
// The loader looks only for the platforms that have a prebuilt addon: napi.targets.
const targeted = targetPlatforms(manifest);
if (JSON.stringify(targeted) !== JSON.stringify(PREBUILT)) {
  throw new Error(`PREBUILT in src/entries/native.js (${PREBUILT}) must list napi.targets (${targeted})`);
}
// This machine's addon, for development and the tests; scripts/build-platforms.sh builds the
// release addons of every platform (linux-x64-gnu there against glibc 2.17) over it.
const platform = nativePlatform();
const triple = Object.keys(PLATFORMS).find((t) => PLATFORMS[t].name === platform);
if (!triple || !manifest.napi.targets.includes(triple)) {
  console.log(`zephr-admin: no native target for ${platform}; the wasm backend only`);
} else {
  const napiOut = join(root, "target", "napi");
  rmSync(napiOut, { recursive: true, force: true });
  execFileSync(bin("napi"), [
    "build", "--platform", "--release", "--target", triple,
    "--manifest-path", join(root, "bindings", "node", "Cargo.toml"),
    "--package-json-path", join(pkg, "package.json"), "--output-dir", napiOut,
  ], { cwd: pkg, stdio: ["ignore", "inherit", "inherit"], env: { ...process.env, CARGO_PROFILE_RELEASE_STRIP: "symbols" } });
  const file = `zephr-admin.${platform}.node`;
  cpSync(join(napiOut, file), join(pkg, "..", `zephr-admin-${platform}`, file));
  // The generated declarations are the same surface as the wasm backend's.
  writeFileSync(join(napiOut, "contract.ts"),
    `import type { Backend } from ${JSON.stringify(join(pkg, "src", "backend.js"))};\n` +
    'import * as native from "./index.js";\nexport const backend: Backend = native;\n');
  run(bin("tsc"), ["--noEmit", "--strict", "--skipLibCheck", "--module", "nodenext", "--target", "es2022", join(napiOut, "contract.ts")], pkg);
  console.log(`zephr-admin: native addon ${file} (${readFileSync(join(napiOut, file)).length} B)`);
}
