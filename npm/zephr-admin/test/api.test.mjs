// The functional API over every shared fixture, against independent references:
// node:crypto for the hash, the Rust `zephr` binary for request descriptors.
// Runs once per backend (ZEPHR_BACKEND=wasm|native).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { expectedHash } from "./support/server.mjs";
import { expectedBackend, zephr } from "./support/backend.mjs";

const root = new URL("../../../", import.meta.url);
const vectors = JSON.parse(readFileSync(new URL("tests/vectors/signing.json", root), "utf8")).vectors;
const samples = JSON.parse(readFileSync(new URL("tests/vectors/operations.json", root), "utf8")).operations;
const zephrBin = fileURLToPath(new URL("target/debug/zephr", root));

test("backend and catalogue", () => {
  assert.equal(zephr.backend, expectedBackend);
  assert.equal(zephr.operations.length, 162);
  const ids = new Set(zephr.operations.map((op) => op.operationId));
  assert.equal(ids.size, 162);
  for (const op of zephr.operations) {
    for (const key of ["operationId", "group", "method", "path", "summary"]) assert.equal(typeof op[key], "string", key);
  }
});

test("every shared signing vector, with string and byte bodies, number and string timestamps", () => {
  for (const v of vectors) {
    for (const body of [v.body, new TextEncoder().encode(v.body)]) {
      for (const timestamp of [v.timestamp, Number(v.timestamp)]) {
        const header = zephr.signRequest({
          accessKey: v.accessKey, secretKey: v.secretKey, method: v.method, path: v.path,
          query: v.query, body, timestamp, nonce: v.nonce,
        });
        assert.equal(header, v.authorization, v.id);
      }
    }
  }
});

test("random requests sign as node:crypto computes the scheme", () => {
  const pick = (chars, n) => Array.from(randomBytes(n), (b) => chars[b % chars.length]).join("");
  const pathChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~%!$&'()*+,;=:@/";
  for (let i = 0; i < 300; i++) {
    const method = ["GET", "POST", "PUT", "PATCH", "DELETE"][i % 5];
    // Dot segments and a raw ' in a query are refused: fetch would not send them as signed.
    const path = ("/" + pick(pathChars, i % 40))
      .split("/")
      .map((segment) => (/^(\.|%2e){1,2}$/i.test(segment) ? "x" : segment))
      .join("/");
    const query = pick(pathChars.replace("'", "") + "?=", i % 30).replace(/^\?+/, "");
    const body = i % 3 === 0 ? randomBytes(i) : i % 3 === 1 ? "Zoë 東京 " + pick(pathChars, i % 50) : "";
    const timestamp = 1_700_000_000_000 + i * 7919;
    const nonce = pick("abcdef0123456789-", 1 + (i % 32));
    const secretKey = pick(pathChars + " ", 1 + (i % 40));
    const header = zephr.signRequest({ accessKey: "ak", secretKey, method, path, query, body, timestamp, nonce });
    const hash = expectedHash(secretKey, body, path, query, method, String(timestamp), nonce);
    assert.equal(header, `ZEPHR-HMAC-SHA256 ak:${timestamp}:${nonce}:${hash}`);
  }
});

test("bad input is a typed error that never shows the secret", () => {
  const secretKey = "never-show-this-secret";
  const base = { accessKey: "ak", secretKey, method: "GET", path: "/v3/users", timestamp: 1, nonce: "n" };
  const cases = [
    [{ accessKey: "a:b" }, "invalid_access_key"],
    [{ accessKey: "" }, "invalid_access_key"],
    [{ secretKey: "" }, "invalid_secret_key"],
    [{ nonce: "a b" }, "invalid_nonce"],
    [{ nonce: "a:b" }, "invalid_nonce"],
    [{ nonce: "a\r\nX-Evil: 1" }, "invalid_nonce"],
    [{ method: "GE T" }, "invalid_method"],
    [{ path: "v3/users" }, "invalid_path"],
    [{ path: "/v3/users?x=1" }, "invalid_path"],
    [{ query: "?page=1" }, "invalid_query"],
    [{ timestamp: -1 }, "invalid_timestamp"],
    [{ timestamp: 1.5 }, "invalid_timestamp"],
    [{ timestamp: "01" }, "invalid_timestamp"],
    [{ timestamp: Number.NaN }, "invalid_timestamp"],
    [{ timestamp: undefined }, "invalid_timestamp"],
    [{ timestamp: 1e21 }, "invalid_timestamp"],
    [{ accessKey: undefined }, "invalid_access_key"],
    [{ nonce: 42 }, "invalid_nonce"],
    [{ path: null }, "invalid_path"],
  ];
  for (const [change, code] of cases) {
    assert.throws(() => zephr.signRequest({ ...base, ...change }), (e) => {
      assert.ok(e instanceof zephr.ZephrInputError, `${code}: ${e}`);
      assert.equal(e.code, code);
      assert.ok(!String(e.message).includes(secretKey));
      return true;
    });
  }
  for (const body of [123, {}, [1, 2], true]) {
    assert.throws(() => zephr.signRequest({ ...base, body }), (e) => e instanceof zephr.ZephrInputError && e.code === "invalid_body", String(body));
    assert.throws(() => zephr.parseResponse("getUser", { status: 200, body }), (e) => e.code === "invalid_body", String(body));
  }
  const bytes = new TextEncoder().encode("héllo");
  const view = new DataView(bytes.buffer);
  assert.equal(zephr.signRequest({ ...base, body: view }), zephr.signRequest({ ...base, body: "héllo" }));
  assert.equal(zephr.signRequest({ ...base, body: bytes.buffer }), zephr.signRequest({ ...base, body: "héllo" }));
  const options = { accessKey: "ak", secretKey, tenant: "news" };
  const prepareCases = [
    [() => zephr.prepareRequest("noSuchOp", {}, options), "unknown_operation"],
    [() => zephr.prepareRequest("listUserSessions", {}, options), "missing_param"],
    [() => zephr.prepareRequest("listUserSessions", { user_id: "u", nope: 1 }, options), "unknown_param"],
    [() => zephr.prepareRequest("listUserSessions", { user_id: { a: 1 } }, options), "invalid_param"],
    [() => zephr.prepareRequest("listUserSessions", { user_id: ".." }, options), "invalid_path_param"],
    [() => zephr.prepareRequest("listUserSessions", { user_id: "u" }, { ...options, tenant: "a.b" }), "invalid_tenant"],
    [() => zephr.prepareRequest("listUserSessions", { user_id: "u" }, { accessKey: "ak", secretKey }), "invalid_base_url"],
    [() => zephr.prepareRequest("listUserSessions", { user_id: "u" }, { ...options, tenant: undefined, baseUrl: "ftp://x" }), "invalid_base_url"],
  ];
  prepareCases.push(
    [() => zephr.prepareRequest("listUserSessions", { user_id: "u" }, { ...options, secretKey: 12345678901 }), "invalid_options"],
    [() => zephr.prepareRequest("listUserSessions", { user_id: "u" }, { ...options, accessKey: { secret: secretKey } }), "invalid_options"],
  );
  assert.throws(() => zephr.prepareRequest("listUserSessions", { user_id: "u" }, { ...options, secretKey: 12345678901 }),
    (e) => !e.message.includes("12345678901"), "a secret of the wrong type is not echoed");
  for (const [call, code] of prepareCases) {
    assert.throws(call, (e) => e instanceof zephr.ZephrInputError && e.code === code && !e.message.includes(secretKey), code);
  }
});

test("every operation prepares like the Rust core and its documented answer parses", () => {
  assert.ok(existsSync(zephrBin), "build the zephr binary first: cargo build -p zephr-cli");
  const options = { accessKey: "ak", secretKey: "sk", baseUrl: "http://127.0.0.1:8080", timestamp: 1700000000000, nonce: "n-1" };
  const env = { ...process.env, ZEPHR_ACCESS_KEY: "ak", ZEPHR_SECRET_KEY: "sk" };
  for (const sample of samples) {
    const params = { ...sample.params };
    if (sample.body !== null) params.body = sample.body;
    const prepared = zephr.prepareRequest(sample.operationId, params, options);

    const args = ["prepare", sample.operationId, "--base-url", options.baseUrl, "--timestamp", "1700000000000", "--nonce", "n-1"];
    for (const [name, value] of Object.entries(sample.params)) args.push("--param", `${name}=${value}`);
    if (sample.body !== null) args.push("--body", prepared.body === sample.body ? sample.body : JSON.stringify(sample.body));
    const rust = JSON.parse(execFileSync(zephrBin, args, { env, encoding: "utf8" }));
    assert.deepEqual(prepared, rust, sample.operationId);

    // The signature holds for what is on the wire.
    const url = new URL(prepared.url);
    const [, ts, nonce, hash] = prepared.headers.authorization.split(" ")[1].split(":");
    assert.equal(hash, expectedHash("sk", prepared.body ?? "", url.pathname, url.search.slice(1), prepared.method, ts, nonce), sample.operationId);

    const documented = sample.response.body;
    const body = documented === null ? "" : JSON.stringify(documented);
    const parsed = zephr.parseResponse(sample.operationId, { status: sample.response.status, headers: {}, body });
    if (Array.isArray(documented)) assert.deepEqual(parsed.results, documented, sample.operationId);
    else if (documented !== null && typeof documented === "object" && Array.isArray(documented.results ?? documented.items)) {
      assert.deepEqual(parsed.results, documented.results ?? documented.items, sample.operationId);
    }
    else assert.deepEqual(parsed, documented, sample.operationId);
  }
});

test("responses: envelopes normalised, errors typed, bodies kept", () => {
  const list = (body) => zephr.parseResponse("listAccountUsers", { status: 200, body });
  for (const body of ['[{"user_id":"u"}]', '{"results":[{"user_id":"u"}]}', '{"items":[{"user_id":"u"}]}', '{"data":[{"user_id":"u"}]}']) {
    assert.deepEqual(list(body).results, [{ user_id: "u" }], body);
  }
  assert.equal(list('{"results":[],"total":"4"}').total, 4);
  assert.equal(zephr.parseResponse("deleteAccountGrant", { status: 200, body: '"Account grant revoked"' }), "Account grant revoked");
  const classes = {
    400: zephr.BadRequestError, 401: zephr.AuthenticationError, 403: zephr.PermissionDeniedError,
    404: zephr.NotFoundError, 409: zephr.ConflictError, 429: zephr.RateLimitError, 500: zephr.InternalServerError,
    503: zephr.InternalServerError, 418: zephr.ZephrApiError,
  };
  for (const [status, cls] of Object.entries(classes)) {
    assert.throws(
      () => zephr.parseResponse("getUser", { status: Number(status), headers: new Headers({ "X-Request-Id": "rid" }), body: '{"message":"boom"}' }),
      (e) => e instanceof cls && e instanceof zephr.ZephrApiError && e instanceof zephr.ZephrError &&
        e.status === Number(status) && e.requestId === "rid" && e.serverMessage === "boom" && e.body === '{"message":"boom"}',
      status,
    );
  }
  assert.throws(() => zephr.parseResponse("getUser", { status: 200, body: "{broken" }),
    (e) => e instanceof zephr.ZephrDecodeError && e.code === "decode_error" && e.body === "{broken");
  assert.throws(() => zephr.parseResponse("listAccountUsers", { status: 200, body: '{"total":1}' }), zephr.ZephrDecodeError);
  // Garbage of any kind is a typed error or a value, never a crash.
  for (let i = 0; i < 200; i++) {
    const body = randomBytes(i * 13);
    try {
      zephr.parseResponse("listAccountUsers", { status: 100 + ((i * 37) % 500), headers: [["x", body.toString("latin1")]], body });
    } catch (e) {
      assert.ok(e instanceof zephr.ZephrError, String(e));
    }
  }
});

test("parameters are checked against their documented type; `extra` body members are merged", () => {
  const options = { accessKey: "ak", secretKey: "sk", tenant: "news", timestamp: 1700000000000, nonce: "n" };
  const code = (id, params) => {
    try {
      zephr.prepareRequest(id, params, options);
      return "ok";
    } catch (e) {
      assert.ok(e instanceof zephr.ZephrInputError, String(e));
      return e.code;
    }
  };
  assert.equal(code("getUser", { user_id: 42 }), "invalid_param");
  assert.equal(code("getUser", { user_id: "42" }), "ok");
  assert.equal(code("listAccounts", { page: 1.5 }), "invalid_param");
  assert.equal(code("listAccounts", { page: "two" }), "invalid_param");
  assert.equal(code("listAccounts", { page: 2, rpp: "50" }), "ok");
  assert.equal(code("createAccount", { body: { name: "A", extra: { name: "B" } } }), "invalid_body");

  const prepared = zephr.prepareRequest("createAccount", { body: { name: "A", extra: { beta_flag: true } } }, options);
  assert.equal(prepared.body, '{"name":"A","beta_flag":true}');
  const evict = zephr.prepareRequest("evictOrigin", { body: "/news/.*" }, options);
  assert.equal(evict.body, "/news/.*");
  assert.equal(evict.headers["content-type"], "application/json");
});

test("prepareRequest: the same request and the same errors whichever way the options cross; no stale client", () => {
  const base = { accessKey: "ak", secretKey: "sk", tenant: "news", timestamp: 1700000000000, nonce: "n-1" };
  const local = { accessKey: "ak", secretKey: "sk", baseUrl: "http://127.0.0.1:8080/base", timestamp: 1700000000000, nonce: "n-1", clockOffsetMs: -5000 };
  // An unknown member sends the options as JSON text; plain options take the Preparer.
  const viaJson = (options) => ({ ...options, unusedMember: true });
  const outcome = (id, params, options) => {
    try {
      return { ok: zephr.prepareRequest(id, params, options) };
    } catch (e) {
      return { code: e.code, message: e.message, name: e.constructor.name };
    }
  };
  const cases = [
    ["updateUserAttribute", { user_id: "u 1/é", body: { first_name: "Zoë\nsecond line", city: "東京", small: 1.5e-7, big: 1e21, list: [1, null, "x"] } }],
    ["getUser", { user_id: "u-1" }],
    ["evictOrigin", { body: "/news/.*\n\n" }],
    ["exportUsers", { appIds: "quiz1,survey4", attributes: true, since: "2020-01-01T00:00:00Z", rpp: 40, page: 2 }],
    ["noSuchOperation", {}],
    ["getUser", {}],
    ["getUser", { user_id: "u", nope: 1 }],
  ];
  const options = [
    base, local,
    { ...base, timestamp: 1.5 }, { ...base, timestamp: -1 }, { ...base, nonce: "n\r\n" },
    { ...base, tenant: "bad tenant!" }, { ...base, baseUrl: "http://127.0.0.1:8080" }, { ...base, clockOffsetMs: 1.5 },
    { ...base, accessKey: "" },
  ];
  let ok = 0;
  for (const [id, params] of cases) {
    for (const opts of options) {
      const fast = outcome(id, params, opts);
      assert.deepEqual(fast, outcome(id, params, viaJson(opts)), `${id} ${JSON.stringify(opts)}`);
      if (fast.ok) ok++;
    }
  }
  assert.equal(ok, 8, "the four valid operations with the two valid options");

  // Credentials and targets switching between calls: every call signs with its own.
  const url = (p) => new URL(p.url);
  for (const round of [1, 2]) {
    for (const [opts, secret, origin] of [[base, "sk", "https://news.api.zephr.com"], [{ ...base, accessKey: "other", secretKey: "sk2" }, "sk2", "https://news.api.zephr.com"],
      [{ ...base, tenant: "sport" }, "sk", "https://sport.api.zephr.com"], [local, "sk", "http://127.0.0.1:8080"]]) {
      const p = zephr.prepareRequest("getUser", { user_id: "u" }, opts);
      const [, ts, nonce, hash] = p.headers.authorization.split(" ")[1].split(":");
      assert.equal(p.headers.authorization.split(" ")[1].split(":")[0], opts.accessKey, `round ${round}`);
      assert.equal(url(p).origin, origin, `round ${round}`);
      assert.equal(ts, String(opts.timestamp + (opts.clockOffsetMs ?? 0)));
      assert.equal(hash, expectedHash(secret, "", url(p).pathname, "", "GET", ts, nonce), `round ${round}`);
    }
  }
});

test("params: deep nesting and cycles with many paths still get the checked path's answer", () => {
  const options = { accessKey: "ak", secretKey: "sk", tenant: "news", timestamp: 1700000000000, nonce: "n-1" };
  let deep = "leaf";
  for (let i = 0; i < 100; i++) deep = { d: deep };
  const prepared = zephr.prepareRequest("updateUserAttribute", { user_id: "u", body: { deep } }, options);
  assert.equal(prepared.body, JSON.stringify({ deep }));
  // Three paths back to itself at every level: 3^depth paths, refused as a cycle all the same.
  const fan = {};
  fan.a = fan; fan.b = fan; fan.c = fan;
  assert.throws(() => zephr.prepareRequest("updateUserAttribute", { user_id: "u", body: fan }, options),
    (e) => e.code === "invalid_param" && /cycle/.test(e.message));
  const dated = zephr.prepareRequest("updateUserAttribute", { user_id: "u", body: { at: new Date(0) } }, options);
  assert.equal(dated.body, '{"at":"1970-01-01T00:00:00.000Z"}');
});
