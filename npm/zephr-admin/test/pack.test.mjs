// The packed tarballs as a user gets them: `npm pack` of zephr-admin (as
// published, scripts/pack.mjs) and of its platform package, `npm install <tarballs>` into an empty project, then a
// script that imports "zephr-admin" and signs. With the platform package the
// native backend is in use; without it (or with a broken addon) the package
// falls back to wasm and says once how to get the native one.
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { nativePlatform } from "../dist/native.js";
import { pack } from "../scripts/pack.mjs";

const platform = nativePlatform();
const root = new URL("../../../", import.meta.url);
const v2 = JSON.parse(readFileSync(new URL("tests/vectors/signing.json", root), "utf8")).vectors.find((v) => v.id.startsWith("V2_"));

const npm = (args, cwd) => execFileSync("npm", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 120_000 });

let work;
const tarballs = {};
before(() => {
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

/** An empty project with the given tarballs installed; runs the script there. */
function project(name, files) {
  const dir = join(work, name);
  mkdirSync(dir);
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name, private: true, type: "module" }));
  npm(["install", "--ignore-scripts", "--no-audit", "--no-fund", ...files], dir);
  writeFileSync(join(dir, "run.mjs"), script);
  const run = () => {
    const out = spawnSync(process.execPath, ["run.mjs"], { cwd: dir, encoding: "utf8", timeout: 30_000 });
    assert.equal(out.status, 0, out.stderr);
    return { ...JSON.parse(out.stdout), stderr: out.stderr };
  };
  return { dir, run };
}

const warnings = (stderr) => stderr.split("\n").filter((line) => line.includes("ZEPHR_ADMIN_NO_NATIVE"));

test("the main and the platform tarball install into an empty project and sign natively", () => {
  const { dir, run } = project("with-native", [tarballs.main, tarballs.platform]);
  const result = run();
  assert.equal(result.backend, "native");
  assert.equal(result.again, "native");
  assert.equal(result.signature, v2.authorization);
  assert.deepEqual(warnings(result.stderr), []);
  const installed = JSON.parse(readFileSync(join(dir, "node_modules", "zephr-admin", "package.json"), "utf8"));
  assert.deepEqual(installed.optionalDependencies, { [`zephr-admin-${platform}`]: installed.version });
  // The explicit entries select their backend.
  const pick = (entry) => execFileSync(process.execPath, ["--input-type=module", "-e", `import { backend } from "${entry}"; console.log(backend);`], { cwd: dir, encoding: "utf8" }).trim();
  assert.equal(pick("zephr-admin/node"), "native");
  assert.equal(pick("zephr-admin/wasm"), "wasm");
});

test("without the platform package: wasm, and one warning that says how to get the native one", () => {
  const { dir, run } = project("without-native", [tarballs.main]);
  const result = run();
  assert.equal(result.backend, "wasm");
  assert.equal(result.again, "wasm");
  assert.equal(result.signature, v2.authorization);
  const lines = warnings(result.stderr);
  assert.equal(lines.length, 1, result.stderr);
  assert.match(lines[0], new RegExp(`npm install zephr-admin-${platform}`));
  // `zephr-admin/node` asks for the native backend explicitly: a clear error, no fallback.
  const explicit = spawnSync(process.execPath, ["--input-type=module", "-e", 'import "zephr-admin/node";'], { cwd: dir, encoding: "utf8" });
  assert.notEqual(explicit.status, 0);
  assert.match(explicit.stderr, /native backend .* could not be loaded/);
});

test("a platform package whose addon does not load (ABI, corrupt file): wasm, one warning", () => {
  const { dir, run } = project("broken-native", [tarballs.main, tarballs.platform]);
  writeFileSync(join(dir, "node_modules", `zephr-admin-${platform}`, `zephr-admin.${platform}.node`), "not a shared object");
  const result = run();
  assert.equal(result.backend, "wasm");
  assert.equal(result.signature, v2.authorization);
  assert.equal(warnings(result.stderr).length, 1, result.stderr);
});
