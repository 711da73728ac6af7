// The fault scenario every client of the SDK runs (tests/scenarios/faults.json; the Rust clients
// run the same file in crates/zephr-client/tests), here through ZephrClient against a scripted
// loopback server.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { after, before, test } from "node:test";
import { zephr } from "./support/backend.mjs";

const scenario = JSON.parse(readFileSync(new URL("../../../tests/scenarios/faults.json", import.meta.url), "utf8"));

/** A loopback server that answers from a script and records what it saw. */
function faultServer() {
  const state = { script: [], seen: [] };
  const server = createServer((req, res) => {
    req.resume().on("end", () => {
      state.seen.push({ method: req.method, target: req.url, headers: req.headers });
      const reply = (status, headers = {}, body = "{}") => {
        res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body), "x-request-id": `req-${status}`, ...headers });
        res.end(body);
      };
      const ok = () => reply(200, {}, '{"ok":true,"user_id":"u-1"}');
      const act = state.script.shift();
      if (act === undefined) ok();
      else if (act.reset) req.socket.destroy();
      else if (act.slowMs) setTimeout(ok, act.slowMs);
      else if (act.hugeBytes) reply(200, {}, "x".repeat(act.hugeBytes));
      else reply(act.status, act.headers, act.body);
    });
  });
  return { server, state };
}

/** A port nothing listens on. */
async function closedPort() {
  const probe = createServer();
  await new Promise((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

let fault;
let clients;
before(async () => {
  fault = faultServer();
  await new Promise((resolve) => fault.server.listen(0, "127.0.0.1", resolve));
  const baseUrl = `http://127.0.0.1:${fault.server.address().port}`;
  const make = (options) => new zephr.ZephrClient({ baseUrl, accessKey: "test-access", secretKey: "test-secret-never-shown", maxRetries: 2, timeoutMs: 800, ...options });
  clients = {
    default: make({}),
    small: make({ maxResponseBytes: 1000 }),
    nowhere: make({ baseUrl: `http://127.0.0.1:${await closedPort()}`, maxRetries: 1 }),
  };
});
after(() => fault.server.closeAllConnections() || fault.server.close());

/** Makes the step's call: the ids of a list (if it is one) and the error, if any. */
async function outcome(client, step) {
  const ids = [];
  try {
    if (step.call === "getUser") await client.users.get({ user_id: "u-1" });
    else if (step.call === "createAccount") await client.account.create({ body: { name: "a" } });
    else if (step.call === "listAccounts") for await (const account of client.paginate("listAccounts", { rpp: step.rpp })) ids.push(account.account_id);
    else throw new Error(`unknown call ${step.call} in the scenario`);
    return { ids };
  } catch (error) {
    if (!(error instanceof zephr.ZephrError)) throw error;
    return { ids, error };
  }
}

for (const step of scenario.steps) {
  test(step.what, async () => {
    fault.state.script = [...step.script];
    fault.state.seen = [];
    const { ids, error } = await outcome(clients[step.client ?? "default"], step);
    const expect = step.expect;
    if (expect.ids) assert.deepEqual(ids, expect.ids);
    assert.equal(error?.code, expect.error, `${error}`);
    if (expect.status !== undefined) assert.equal(error.status, expect.status);
    if (expect.message !== undefined) assert.equal(error.serverMessage, expect.message);
    if (expect.requestId !== undefined) assert.equal(error.requestId, expect.requestId);
    if (expect.location !== undefined) assert.equal(error.location, expect.location);
    const seen = fault.state.seen;
    assert.equal(seen.length, step.requests);
    if (step.targets) assert.deepEqual(seen.map((s) => s.target), step.targets);
    if (step.distinctNonces) {
      const nonces = new Set(seen.map((s) => s.headers.authorization.split(":")[2]));
      assert.equal(nonces.size, seen.length, "every attempt has its own nonce");
    }
  });
}
