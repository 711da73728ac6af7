// ZephrClient against a real HTTP server on 127.0.0.1 that checks every signature.
// Runs once per backend (ZEPHR_BACKEND=wasm|native).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { ACCESS_KEY, SECRET_KEY, startServer } from "./support/server.mjs";
import { zephr } from "./support/backend.mjs";

let server;
before(async () => { server = await startServer(); });
after(async () => { await server.close(); });

const client = (options = {}) =>
  new zephr.ZephrClient({ baseUrl: server.url, accessKey: ACCESS_KEY, secretKey: SECRET_KEY, ...options });
const since = (n) => server.seen.slice(n);

test("namespaces cover every operation, with typed errors for bad options", () => {
  const c = client();
  for (const [namespace, methods] of Object.entries(zephr.NAMESPACES)) {
    for (const method of Object.keys(methods)) assert.equal(typeof c[namespace][method], "function", `${namespace}.${method}`);
  }
  const count = Object.values(zephr.NAMESPACES).reduce((n, m) => n + Object.keys(m).length, 0);
  assert.equal(count, 162);
  assert.throws(() => new zephr.ZephrClient({ tenant: "bad.tenant", accessKey: "a", secretKey: "b" }), (e) => e.code === "invalid_tenant");
  assert.throws(() => new zephr.ZephrClient({ baseUrl: server.url, accessKey: "a:b", secretKey: "b" }), zephr.ZephrInputError);
});

test("calls sign every request, encode path parameters and decode answers", async () => {
  const start = server.seen.length;
  const c = client();
  const sessions = await c.users.listSessions({ user_id: "../admin" });
  assert.equal(sessions.user_id, "../admin");
  const users = await c.accountUser.list({ account_id: "acc 1" });
  assert.deepEqual(users.results, [{ user_id: "u-1", account_id: "acc 1", user_type: "admin" }]);
  const created = await c.request("createUser", { body: { identifiers: { email_address: "zoe@example.com" }, attributes: { city: "東京" } } });
  assert.equal(created.data.user_id, "u-new");
  assert.equal(created.data.attributes.city, "東京");
  assert.equal(await c.request("deleteAccountGrant", { accountId: "a", grantId: "g" }), "Account grant revoked");
  const requests = since(start);
  assert.deepEqual(requests.map((r) => `${r.method} ${r.url}`), [
    "GET /v3/users/..%2Fadmin/sessions",
    "GET /v3/accounts/acc%201/users",
    "POST /v3/users",
    "DELETE /v4/accounts/a/grants/g",
  ]);
  assert.ok(requests.every((r) => r.failure === null), JSON.stringify(requests.map((r) => r.failure)));
  assert.equal(requests[2].headers["content-type"], "application/json");
  assert.equal(requests[2].body, '{"identifiers":{"email_address":"zoe@example.com"},"attributes":{"city":"東京"}}');
  const nonces = new Set(requests.map((r) => r.headers.authorization.split(":")[2]));
  assert.equal(nonces.size, requests.length, "a fresh nonce per request");
});

test("pagination with for await", async () => {
  const start = server.seen.length;
  const ids = [];
  for await (const account of client().paginate("listAccounts", { rpp: 3, search: "a b" })) ids.push(account.account_id);
  assert.deepEqual(ids, ["acc-1", "acc-2", "acc-3", "acc-4", "acc-5", "acc-6", "acc-7"]);
  // The core's engine pages: it appends `page` to the request it sent.
  assert.deepEqual(since(start).map((r) => r.url), [
    "/v3/accounts?rpp=3&search=a%20b",
    "/v3/accounts?rpp=3&search=a%20b&page=2",
    "/v3/accounts?rpp=3&search=a%20b&page=3",
  ]);
});

test("retries 429 and 503 as the core decides, honouring Retry-After, re-signing each time", async () => {
  const start = server.seen.length;
  server.fault("/v3/users/u1/sessions", { status: 429, retryAfter: 0 });
  server.fault("/v3/users/u1/sessions", { status: 503, retryAfter: 0 });
  const sessions = await client().users.listSessions({ user_id: "u1" });
  assert.equal(sessions.user_id, "u1");
  const attempts = since(start);
  assert.equal(attempts.length, 3);
  assert.ok(attempts.every((r) => r.failure === null));
  assert.equal(new Set(attempts.map((r) => r.headers.authorization)).size, 3);

  // Retry-After in seconds is waited for.
  server.fault("/v3/users/u2/sessions", { status: 503, retryAfter: 1 });
  const began = Date.now();
  await client().users.listSessions({ user_id: "u2" });
  assert.ok(Date.now() - began >= 950, "waited for Retry-After");

  // Exhausted retries surface the last answer as its class.
  for (let i = 0; i < 3; i++) server.fault("/v3/users/u3/sessions", { status: 429, retryAfter: 0, body: { message: "slow down" } });
  await assert.rejects(client().users.listSessions({ user_id: "u3" }), (e) =>
    e instanceof zephr.RateLimitError && e.status === 429 && e.serverMessage === "slow down" && typeof e.requestId === "string" && e.response instanceof Response);

  // Non-idempotent requests are not retried.
  const before = server.seen.length;
  server.fault("/v3/users", { status: 503, retryAfter: 0 });
  await assert.rejects(client().users.create({ body: {} }), zephr.InternalServerError);
  assert.equal(server.seen.length - before, 1);
});

test("every error class, with status, code, request id and raw body", async () => {
  const cases = [
    [400, zephr.BadRequestError, "bad_request"],
    [401, zephr.AuthenticationError, "authentication_failed"],
    [403, zephr.PermissionDeniedError, "permission_denied"],
    [404, zephr.NotFoundError, "not_found"],
    [409, zephr.ConflictError, "conflict"],
    [500, zephr.InternalServerError, "server_error"],
    [418, zephr.ZephrApiError, "unexpected_status"],
  ];
  for (const [status, cls, code] of cases) {
    server.fault("/v3/users/e/sessions", { status, body: { message: `m${status}` } });
    await assert.rejects(client({ maxRetries: 0 }).users.listSessions({ user_id: "e" }), (e) =>
      e instanceof cls && e.code === code && e.status === status && e.body === `{"message":"m${status}"}` &&
      e.requestId?.startsWith("req-") && e.response.status === status, String(status));
  }
  // A wrong key is caught by the server's independent check.
  await assert.rejects(
    new zephr.ZephrClient({ baseUrl: server.url, accessKey: ACCESS_KEY, secretKey: "wrong" }).users.listSessions({ user_id: "x" }),
    (e) => e instanceof zephr.AuthenticationError && /signature/.test(e.serverMessage) && /clock/.test(e.hint),
  );
  // A malformed 2xx body is a decode error carrying the raw text.
  server.fault("/v3/users/m/sessions", { body: "{not json" });
  await assert.rejects(client().users.listSessions({ user_id: "m" }), (e) => e instanceof zephr.ZephrDecodeError && e.body === "{not json");
  // Bad params never reach the network.
  const n = server.seen.length;
  await assert.rejects(client().users.listSessions({}), (e) => e instanceof zephr.ZephrInputError && e.code === "missing_param");
  assert.equal(server.seen.length, n);
});

test("timeouts, cancellation and connection errors", async () => {
  server.fault("/v3/users/slow/sessions", { delayMs: 400 });
  server.fault("/v3/users/slow/sessions", { delayMs: 400 });
  await assert.rejects(client({ timeoutMs: 100, maxRetries: 1 }).users.listSessions({ user_id: "slow" }), zephr.ZephrTimeoutError);

  server.fault("/v3/users/slow2/sessions", { delayMs: 300 });
  const ok = await client({ timeoutMs: 100 }).request("listUserSessions", { user_id: "slow2" }, { timeoutMs: 2000 });
  assert.equal(ok.user_id, "slow2", "a per-call timeout overrides the client's");

  server.fault("/v3/users/cancel/sessions", { delayMs: 500 });
  const controller = new AbortController();
  setTimeout(() => controller.abort(new Error("user cancelled")), 50);
  const n = server.seen.length;
  await assert.rejects(client().users.listSessions({ user_id: "cancel" }, { signal: controller.signal }), /user cancelled/);
  await new Promise((r) => setTimeout(r, 600));
  assert.equal(server.seen.length - n, 1, "no retry after an abort");
  await assert.rejects(client().users.listSessions({ user_id: "x" }, { signal: AbortSignal.abort() }));

  const dead = await startServer();
  const url = dead.url;
  await dead.close();
  await assert.rejects(
    new zephr.ZephrClient({ baseUrl: url, accessKey: ACCESS_KEY, secretKey: SECRET_KEY, maxRetries: 1 }).users.listSessions({ user_id: "x" }),
    (e) => e instanceof zephr.ZephrConnectionError && e.code === "connect_failed" && e.cause !== undefined,
  );
});

test("raw response and request id stay reachable; a custom fetch is used", async () => {
  const calls = [];
  const c = client({ fetch: (url, init) => { calls.push([url, init.method]); return fetch(url, init); } });
  const { data, response, requestId } = await c.requestWithResponse("listUserSessions", { user_id: "r" });
  assert.equal(data.user_id, "r");
  assert.ok(response instanceof Response);
  assert.equal(response.status, 200);
  assert.equal(requestId, response.headers.get("x-request-id"));
  assert.deepEqual(calls, [[`${server.url}/v3/users/r/sessions`, "GET"]]);
});

test("hooks see each attempt, response and retry the core decides, never the signature or the secret", async () => {
  const events = [];
  const c = client({
    defaultHeaders: { "x-trace-id": "t-42" },
    onRequest: (e) => events.push(["request", e]),
    onResponse: (e) => events.push(["response", e]),
    onRetry: (e) => events.push(["retry", e]),
  });
  const start = server.seen.length;
  server.fault("/v3/users/hooked/sessions", { status: 503, retryAfter: 0 });
  await c.users.listSessions({ user_id: "hooked" });
  const sent = since(start);
  assert.equal(sent.length, 2);
  assert.ok(sent.every((r) => r.headers["x-trace-id"] === "t-42" && r.failure === null), "default headers are sent and signed over");
  assert.deepEqual(events.map(([kind, e]) => `${kind} ${e.attempt} ${e.status ?? ""}`), [
    "request 1 ", "response 1 503", "retry 1 503", "request 2 ", "response 2 200",
  ]);
  const retry = events[2][1];
  assert.equal(retry.operationId, "listUserSessions");
  assert.equal(retry.failure, null);
  assert.equal(typeof retry.waitMs, "number");
  const request = events[0][1];
  assert.equal(request.method, "GET");
  assert.ok(request.url.endsWith("/v3/users/hooked/sessions"));
  assert.equal(request.headers["x-trace-id"], "t-42");
  const seen = JSON.stringify(events);
  assert.ok(!/authorization/i.test(seen), seen);
  assert.ok(!seen.includes(SECRET_KEY), "the secret never reaches a hook");
});

test("a transport failure reaches onRetry as the core's failure code", async () => {
  const retries = [];
  let calls = 0;
  const flaky = async (...args) => {
    if (calls++ === 0) throw new TypeError("socket hang up");
    return fetch(...args);
  };
  const c = client({ fetch: flaky, onRetry: (e) => retries.push(e) });
  await c.users.listSessions({ user_id: "flaky" });
  assert.equal(retries.length, 1);
  assert.equal(retries[0].failure, "transport_error");
  assert.equal(retries[0].status, null);
});

test("defaultHeaders that would override what the SDK sets are refused; hooks must be functions", () => {
  for (const name of ["Authorization", "authorization", "content-type", "user-agent", "accept"]) {
    assert.throws(() => client({ defaultHeaders: { [name]: "x" } }), (e) => e instanceof zephr.ZephrInputError && e.code === "invalid_header", name);
  }
  assert.throws(() => client({ defaultHeaders: { "x-a": 1 } }), (e) => e.code === "invalid_options");
  assert.throws(() => client({ onRetry: "log" }), (e) => e.code === "invalid_options" && /onRetry/.test(e.message));
});
