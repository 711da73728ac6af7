// How the entries hold and load their backend: each export carries its own backend (no global
// to install), loads it on first use, and an asynchronous load (browsers) answers synchronous
// calls made too early with a typed error while ZephrClient waits for it. Error classes are
// shared by every entry, so `instanceof` works across them.
import assert from "node:assert/strict";
import { test } from "node:test";
import { bindBackend } from "../dist/api.js";
import { loadWasm } from "../dist/wasm.js";
import * as viaWasm from "zephr-admin/wasm";
import * as viaNode from "zephr-admin";
import { startServer, ACCESS_KEY, SECRET_KEY } from "./support/server.mjs";

const INPUT = { accessKey: "a", secretKey: "s", method: "GET", path: "/v3/x", timestamp: 1, nonce: "n" };
const EXPECTED = "ZEPHR-HMAC-SHA256 a:1:n:c00c5b3854a41d4f4eb396d571edb0b4b3141d6b3aa681def81711b8d1bb919a";

test("a synchronous backend loads once, on first use, and only then", () => {
  let loads = 0;
  const api = bindBackend("wasm", () => { loads++; return loadWasm(); });
  assert.equal(loads, 0);
  assert.equal(api.backend, "wasm");
  assert.equal(api.signRequest(INPUT), EXPECTED);
  assert.equal(api.signRequest(INPUT), EXPECTED);
  new api.ZephrClient({ accessKey: "a", secretKey: "s", baseUrl: "http://127.0.0.1:1" });
  assert.equal(loads, 1);
});

test("an asynchronous backend: early synchronous calls throw backend_not_ready, the client waits", async () => {
  let release;
  const gate = new Promise((resolve) => { release = resolve; });
  let starts = 0;
  const api = bindBackend("wasm", { start: async () => { starts++; await gate; return loadWasm(); }, notReady: "not yet: await ready()" });
  assert.throws(() => api.signRequest(INPUT), (e) => e instanceof viaNode.ZephrError && e.code === "backend_not_ready" && e.message === "not yet: await ready()");
  // Constructing the client does not need the backend yet; its calls wait for it.
  const server = await startServer();
  try {
    const client = new api.ZephrClient({ accessKey: ACCESS_KEY, secretKey: SECRET_KEY, baseUrl: server.url, maxRetries: 0 });
    const call = client.users.listSessions({ user_id: "a/b" });
    release();
    const sessions = await call;
    assert.equal(sessions.user_id, "a/b");
    assert.equal(server.seen.length, 1);
    assert.equal(server.seen[0].failure, null);
  } finally {
    await server.close();
  }
  await api.ready();
  assert.equal(api.signRequest(INPUT), EXPECTED);
  assert.equal(starts, 1);
});

test("an asynchronous load that fails: ready() and later calls report that failure", async () => {
  const failure = new viaNode.ZephrError("backend_load_failed", "no wasm here");
  const api = bindBackend("wasm", { start: async () => { throw failure; }, notReady: "not yet" });
  await assert.rejects(api.ready(), (e) => e === failure);
  assert.throws(() => api.signRequest(INPUT), (e) => e === failure);
  const client = new api.ZephrClient({ accessKey: "a", secretKey: "s", baseUrl: "http://127.0.0.1:1" });
  await assert.rejects(client.users.listSessions({ user_id: "u" }), (e) => e === failure);
});

test("error classes are shared by the entries: instanceof works across them", () => {
  assert.equal(viaWasm.ZephrInputError, viaNode.ZephrInputError);
  for (const [from, to] of [[viaWasm, viaNode], [viaNode, viaWasm]]) {
    assert.throws(() => from.signRequest({ ...INPUT, nonce: "" }), (e) => e instanceof to.ZephrInputError && e instanceof to.ZephrError);
  }
  // Each entry's client is its own class over the same base.
  assert.notEqual(viaWasm.ZephrClient, viaNode.ZephrClient);
});
