// ZephrClient against servers on 127.0.0.1 that misbehave: endless bodies, redirects, resets
// after reading the body, malformed JSON, huge headers, bodies slower than the timeout. Each
// ends in a typed error (the memory it costs is measured by bench/oversized.mjs); requests
// whose outcome is unknown and that are not idempotent are not retried. Runs once per backend
// (ZEPHR_BACKEND=wasm|native).
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { after, before, test } from "node:test";
import { zephr } from "./support/backend.mjs";

const CHUNK = Buffer.alloc(64 * 1024, 0x61);

/** A server whose every answer comes from `handlers[pathname]`; it records each request. */
async function hostile(handlers) {
  const seen = [];
  const sockets = new Set();
  const server = createServer(async (req, res) => {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const url = new URL(req.url, "http://127.0.0.1");
    seen.push({ method: req.method, path: url.pathname, body: Buffer.concat(chunks).toString() });
    const handler = handlers[url.pathname];
    if (!handler) {
      res.writeHead(200, { "content-type": "application/json" });
      return res.end("{}");
    }
    handler(req, res, server);
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${server.address().port}`;
  return {
    url,
    seen,
    close: () => new Promise((resolve) => { for (const s of sockets) s.destroy(); server.close(resolve); }),
  };
}

/** Writes `CHUNK`s until the client goes away. */
function endless(res, headers = {}) {
  res.writeHead(200, { "content-type": "application/json", ...headers });
  res.write("[");
  const pump = () => {
    while (!res.destroyed && res.write(CHUNK)) { /* fill the socket buffer */ }
    if (!res.destroyed) res.once("drain", pump);
  };
  res.on("close", () => res.removeAllListeners("drain"));
  pump();
}

let server;
let elsewhere;
before(async () => {
  elsewhere = await hostile({});
  server = await hostile({
    "/v3/accounts": (req, res) => endless(res),
    "/v3/users/declared/sessions": (req, res) => {
      res.writeHead(200, { "content-type": "application/json", "content-length": String(2 ** 40) });
      res.write("{");
    },
    "/v3/users/found/sessions": (req, res) => {
      res.writeHead(302, { location: "/v3/users/other/sessions", "x-request-id": "req-302" });
      res.end();
    },
    "/v3/users/away/sessions": (req, res) => {
      res.writeHead(302, { location: `${elsewhere.url}/v3/users/away/sessions` });
      res.end();
    },
    "/v3/users": (req, res) => {
      const status = req.headers["x-status"] === "308" ? 308 : 307;
      res.writeHead(status, { location: `${elsewhere.url}/v3/users` });
      res.end();
    },
    "/v3/users/reset/sessions": (req, res) => res.socket.destroy(),
    "/v3/admin/logout": (req, res) => res.socket.destroy(),
    "/v3/users/malformed/sessions": (req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end('{"user_id": "u", "sessions": [');
    },
    "/v3/users/headers/sessions": (req, res) => {
      // 32 KiB of headers: more than fetch accepts.
      const headers = {};
      for (let i = 0; i < 64; i++) headers[`x-filler-${i}`] = "h".repeat(512);
      res.writeHead(200, headers);
      res.end("{}");
    },
    "/v3/users/slow/sessions": (req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"user_id":');
      const timer = setInterval(() => res.write(" "), 20);
      res.on("close", () => clearInterval(timer));
    },
  });
});
after(async () => {
  await server.close();
  await elsewhere.close();
});

const client = (options = {}) =>
  new zephr.ZephrClient({ baseUrl: server.url, accessKey: "ak", secretKey: "sk", ...options });
const count = (path) => server.seen.filter((r) => r.path === path).length;

test("an endless body stops at maxResponseBytes with a typed error, not retried", async () => {
  const before = count("/v3/accounts");
  await assert.rejects(client({ maxResponseBytes: 1024 * 1024 }).account.list(), (e) =>
    e instanceof zephr.ZephrResponseTooLargeError && e.code === "body_too_large" && e.limit === 1024 * 1024 && e.status === 200);
  // The default limit (the core's, 64 MiB) holds too.
  await assert.rejects(client().account.list(), (e) => e.code === "body_too_large" && e.limit === 64 * 1024 * 1024);
  // The code says the body was refused while streaming: at the timeout it would be `timed_out`.
  assert.equal(count("/v3/accounts") - before, 2, "one request per call: not retried");
  // A declared length over the limit is refused before reading.
  await assert.rejects(client({ maxResponseBytes: 1000 }).users.listSessions({ user_id: "declared" }), (e) => e.code === "body_too_large");
  // Per call too.
  await assert.rejects(client().request("listAccounts", {}, { maxResponseBytes: 10 }), (e) => e.code === "body_too_large");
});

test("redirects are never followed: 302 on GET, same-origin to another path", async () => {
  const awayBefore = elsewhere.seen.length;
  for (const [userId, location] of [["found", "/v3/users/other/sessions"], ["away", `${elsewhere.url}/v3/users/away/sessions`]]) {
    const path = `/v3/users/${userId}/sessions`;
    const n = count(path);
    await assert.rejects(client().users.listSessions({ user_id: userId }), (e) =>
      e instanceof zephr.ZephrRedirectError && e instanceof zephr.ZephrApiError && e.code === "redirect" &&
      e.status === 302 && e.location === location && e.message.includes("302") &&
      // The core's engine built the error from the response: its request id comes along.
      e.requestId === (userId === "found" ? "req-302" : undefined) && e.response?.status === 302);
    assert.equal(count(path) - n, 1, "not retried");
  }
  assert.equal(count("/v3/users/other/sessions"), 0, "the same-origin target was not requested");
  assert.equal(elsewhere.seen.length, awayBefore, "the other host was not contacted");
});

test("307/308 on a POST to another host: the body is never re-sent", async () => {
  const n = count("/v3/users");
  for (const status of ["307", "308"]) {
    const c = client({ fetch: (url, init) => fetch(url, { ...init, headers: { ...init.headers, "x-status": status } }) });
    await assert.rejects(c.users.create({ body: { email: "person@example.com" } }), (e) =>
      e instanceof zephr.ZephrRedirectError && e.status === Number(status) && e.location === `${elsewhere.url}/v3/users`);
  }
  assert.equal(count("/v3/users") - n, 2);
  assert.equal(elsewhere.seen.filter((r) => r.method === "POST").length, 0, "no personal data went to the other host");
});

test("an opaque redirect (status 0, as browsers and workerd give) is a redirect error, not a retried transport error", async () => {
  let calls = 0;
  const opaque = { type: "opaqueredirect", status: 0, ok: false, headers: new Headers(), body: null };
  const c = client({ fetch: async (url, init) => { calls++; assert.equal(init.redirect, "manual"); return opaque; } });
  await assert.rejects(c.users.listSessions({ user_id: "x" }), (e) =>
    e instanceof zephr.ZephrRedirectError && e.status === 0 && e.location === undefined);
  assert.equal(calls, 1);
});

test("a reset after reading the body: a POST is not retried, a GET is", async () => {
  const n = count("/v3/admin/logout");
  await assert.rejects(client({ maxRetries: 2 }).adminUser.logOutAdminUserAccount(), (e) =>
    e instanceof zephr.ZephrConnectionError && e.code === "transport_error");
  assert.equal(count("/v3/admin/logout") - n, 1, "the POST's outcome is unknown: sent once");
  const g = count("/v3/users/reset/sessions");
  await assert.rejects(client({ maxRetries: 2 }).users.listSessions({ user_id: "reset" }), zephr.ZephrConnectionError);
  assert.equal(count("/v3/users/reset/sessions") - g, 3, "a GET is retried as the policy allows");
});

test("malformed JSON is a decode error with the raw body", async () => {
  await assert.rejects(client().users.listSessions({ user_id: "malformed" }), (e) =>
    e instanceof zephr.ZephrDecodeError && e.code === "decode_error" && e.status === 200 && e.body.startsWith('{"user_id"'));
});

test("huge response headers are a connection error, not a crash", async () => {
  await assert.rejects(client({ maxRetries: 0 }).users.listSessions({ user_id: "headers" }), (e) =>
    e instanceof zephr.ZephrConnectionError && e.code === "transport_error");
});

test("a body slower than the timeout is a timeout error, one per attempt", async () => {
  await assert.rejects(client({ timeoutMs: 200, maxRetries: 1 }).users.listSessions({ user_id: "slow" }), (e) =>
    e instanceof zephr.ZephrTimeoutError && e.code === "timed_out");
  assert.equal(count("/v3/users/slow/sessions"), 2);
});
