// CommonJS hosts: `require("zephr-admin")` loads the ES module package on Node versions that
// can require ES modules (20.19+, 22.12+); there is no separate CommonJS build.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const [major, minor] = process.versions.node.split(".").map(Number);
const canRequireEsm = major > 22 || (major === 22 && minor >= 12) || (major === 20 && minor >= 19);

test("require('zephr-admin') from CommonJS signs like the ES module", { skip: !canRequireEsm && `Node ${process.version} cannot require ES modules` }, () => {
  const script = `
    const z = require("zephr-admin");
    process.stdout.write(JSON.stringify([z.backend, z.signRequest({ accessKey: "a3f1c2d4-5b6e-4f70-8a9b-0c1d2e3f4a5b",
      secretKey: "9b8c7d6e-5f4a-4b3c-8d2e-1f0a9b8c7d6e", method: "GET", path: "/v3/accounts", query: "page=1&rpp=50",
      timestamp: 1700000000456, nonce: "1234567890" }), typeof z.ZephrClient]));`;
  const run = spawnSync(process.execPath, ["--no-warnings", "-e", script], { cwd: fileURLToPath(new URL("..", import.meta.url)), encoding: "utf8" });
  assert.equal(run.status, 0, run.stderr);
  const [backend, header, client] = JSON.parse(run.stdout);
  assert.ok(["native", "wasm"].includes(backend));
  assert.equal(header, "ZEPHR-HMAC-SHA256 a3f1c2d4-5b6e-4f70-8a9b-0c1d2e3f4a5b:1700000000456:1234567890:e2f7fbacbd781d41272dc6a0a44ff27948849a9dbe1a6bc59ad57b2544b57c89");
  assert.equal(client, "function");
});
