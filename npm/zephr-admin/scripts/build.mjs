// Builds the package: the core for wasm32 → wasm-bindgen (the version pinned in
// Cargo.lock) → wasm-opt -Oz (npm binaryen) → TypeScript → dist/. Fails when the
// wasm module and its JS glue exceed the size budget.
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const BUDGET_GZIP_BYTES = 100 * 1024;
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

run(bin("tsc"), ["-p", "."], pkg);
cpSync(join(pkg, "src", "entries"), dist, { recursive: true });
// The entries' types are the package's types.
for (const entry of ["entry-node", "entry-workerd", "entry-browser"]) {
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
