// The packed tarballs as a user gets them: `npm pack` of zephr-admin (as
// published, scripts/pack.mjs) and of its platform package, `npm install <tarballs>` into an
// empty project, then a script that imports "zephr-admin" and signs. With the platform package
// the native backend is in use, under Node and under Bun; without it the package uses wasm and
// says nothing; with a broken addon it uses wasm and warns once; on a platform that has no
// prebuilt addon it never looks for one, even when a package of that name is installed.
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { PREBUILT, nativePlatform } from "../dist/native.js";
import { pack } from "../scripts/pack.mjs";
import { bunBinary } from "./support/binaries.mjs";

const platform = nativePlatform();
const root = new URL("../../../", import.meta.url);
const v2 = JSON.parse(readFileSync(new URL("tests/vectors/signing.json", root), "utf8")).vectors.find((v) => v.id.startsWith("V2_"));

const npm = (args, cwd) => execFileSync("npm", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 120_000 });

let work;
const tarballs = {};
before(() => {
  assert.ok(PREBUILT.includes(platform), `these tests need a platform with a prebuilt addon, not ${platform}`);
  work = mkdtempSync(join(tmpdir(), "zephr-admin-pack-"));
  const packed = pack(work);
  tarballs.main = packed.find((file) => /zephr-admin-\d/.test(file));
  tarballs.platform = packed.find((file) => file.includes(`zephr-admin-${platform}-`));
  assert.ok(tarballs.main && tarballs.platform, `packed: ${packed}`);
});
after(() => rmSync(work, { recursive: true, force: true }));

const script = `
import { signRequest, backend } from "zephr-admin";
import * as again from "zephr-admin";
const v = ${JSON.stringify(v2)};
const { accessKey, secretKey, method, path, query, body, timestamp, nonce } = v;
const signature = signRequest({ accessKey, secretKey, method, path, query, body, timestamp, nonce });
console.log(JSON.stringify({ backend, again: again.backend, signature }));
`;

/** An empty project with the given tarballs installed; `run` runs the script there (under
 * Node, with extra arguments, or under another binary). */
function project(name, files) {
  const dir = join(work, name);
  mkdirSync(dir);
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name, private: true, type: "module" }));
  // Offline: the other platforms' optional dependencies are not looked up in the registry.
  npm(["install", "--offline", "--ignore-scripts", "--no-audit", "--no-fund", ...files], dir);
  writeFileSync(join(dir, "run.mjs"), script);
  const run = ({ args = [], binary = process.execPath } = {}) => {
    const out = spawnSync(binary, [...args, "run.mjs"], { cwd: dir, encoding: "utf8", timeout: 30_000 });
    assert.equal(out.status, 0, out.stderr);
    return { ...JSON.parse(out.stdout), stderr: out.stderr };
  };
  return { dir, run };
}

const warnings = (stderr) => stderr.split("\n").filter((line) => line.includes("ZEPHR_ADMIN"));

test("the main and the platform tarball install into an empty project and sign natively, under Node and Bun", () => {
  const { dir, run } = project("with-native", [tarballs.main, tarballs.platform]);
  const result = run();
  assert.equal(result.backend, "native");
  assert.equal(result.again, "native");
  assert.equal(result.signature, v2.authorization);
  assert.deepEqual(warnings(result.stderr), []);
  const installed = JSON.parse(readFileSync(join(dir, "node_modules", "zephr-admin", "package.json"), "utf8"));
  assert.deepEqual(installed.optionalDependencies, Object.fromEntries(PREBUILT.map((p) => [`zephr-admin-${p}`, installed.version])));
  // The explicit entries select their backend.
  const pick = (entry) => execFileSync(process.execPath, ["--input-type=module", "-e", `import { backend } from "${entry}"; console.log(backend);`], { cwd: dir, encoding: "utf8" }).trim();
  assert.equal(pick("zephr-admin/node"), "native");
  assert.equal(pick("zephr-admin/wasm"), "wasm");
  // Bun supports Node-API: its `bun` condition loads the addon too.
  const bun = run({ binary: bunBinary() });
  assert.equal(bun.backend, "native");
  assert.equal(bun.signature, v2.authorization);
  assert.deepEqual(warnings(bun.stderr), []);
});

test("without the platform package: wasm and no warning; zephr-admin/node says how to get the addon", () => {
  const { dir, run } = project("without-native", [tarballs.main]);
  const result = run();
  assert.equal(result.backend, "wasm");
  assert.equal(result.again, "wasm");
  assert.equal(result.signature, v2.authorization);
  assert.deepEqual(warnings(result.stderr), []);
  assert.equal(result.stderr, "");
  // `zephr-admin/node` asks for the native backend explicitly: a clear error, no fallback.
  const explicit = spawnSync(process.execPath, ["--input-type=module", "-e", 'import "zephr-admin/node";'], { cwd: dir, encoding: "utf8" });
  assert.notEqual(explicit.status, 0);
  assert.match(explicit.stderr, new RegExp(`native addon zephr-admin-${platform} is not installed`));
});

test("a platform package whose addon does not load (ABI, corrupt file): wasm, one warning without repository paths", () => {
  const { dir, run } = project("broken-native", [tarballs.main, tarballs.platform]);
  writeFileSync(join(dir, "node_modules", `zephr-admin-${platform}`, `zephr-admin.${platform}.node`), "not a shared object");
  const result = run();
  assert.equal(result.backend, "wasm");
  assert.equal(result.signature, v2.authorization);
  const lines = warnings(result.stderr);
  assert.equal(lines.length, 1, result.stderr);
  assert.match(lines[0], /ZEPHR_ADMIN_NATIVE_FAILED/);
  assert.match(lines[0], new RegExp(`native addon zephr-admin-${platform} is installed but did not load`));
  assert.doesNotMatch(lines[0], /\.\.\/|npm install/);
});

test("a platform without a prebuilt addon: wasm, silent, and a package of the would-be name is never loaded", () => {
  const { dir, run } = project("no-prebuilt", [tarballs.main]);
  // What a squatter could publish: the name a naive loader would require on linux riscv64.
  const squatted = join(dir, "node_modules", "zephr-admin-linux-riscv64-gnu");
  mkdirSync(squatted);
  writeFileSync(join(squatted, "package.json"), JSON.stringify({ name: "zephr-admin-linux-riscv64-gnu", version: "0.1.0", main: "index.js" }));
  writeFileSync(join(squatted, "index.js"), 'require("fs").writeFileSync(__dirname + "/loaded", "yes"); module.exports = { signRequest() { return "forged"; } };');
  // Node reports another architecture, as on a riscv64 machine.
  writeFileSync(join(dir, "riscv64.cjs"), 'Object.defineProperty(process, "arch", { value: "riscv64" });');
  const result = run({ args: ["--require", "./riscv64.cjs"] });
  assert.equal(result.backend, "wasm");
  assert.equal(result.signature, v2.authorization);
  assert.equal(result.stderr, "");
  assert.throws(() => readFileSync(join(squatted, "loaded")), { code: "ENOENT" });
  const explicit = spawnSync(process.execPath, ["--require", "./riscv64.cjs", "--input-type=module", "-e", 'import "zephr-admin/node";'], { cwd: dir, encoding: "utf8" });
  assert.notEqual(explicit.status, 0);
  assert.match(explicit.stderr, /no prebuilt native addon for linux-riscv64-gnu/);
  assert.doesNotMatch(explicit.stderr, /npm install/);
});
