// Hostile input at the JS boundary: every wrong type for every argument of the public
// functions ends in a ZephrInputError with the expected code, on both backends (run once per
// backend: ZEPHR_BACKEND=wasm|native), and no message holds a value from the options.
import assert from "node:assert/strict";
import { test } from "node:test";
import { zephr } from "./support/backend.mjs";

const SECRET = 's3cr3t-\\"-key';
const options = { accessKey: "ak", secretKey: SECRET, baseUrl: "http://127.0.0.1:9" };
const parts = {
  accessKey: "ak", secretKey: SECRET, method: "GET", path: "/v3/users", query: "", body: "",
  timestamp: 1700000000000, nonce: "n-1",
};

/** Values of every JS type but the one that belongs, and the values JSON cannot carry. */
const WRONG = [undefined, null, 5, NaN, Infinity, true, 10n, Symbol("s"), () => SECRET, {}, [], [SECRET], { s: SECRET }, new Uint8Array([1])];
const LONE = "ab\uD800cd";
const show = (v) => (typeof v === "symbol" ? "Symbol" : typeof v === "bigint" ? `${v}n` : typeof v === "function" ? "function" : v === undefined ? "undefined" : JSON.stringify(v) ?? String(v));

function refused(call, code, label) {
  let thrown;
  try {
    call();
  } catch (e) {
    thrown = e;
  }
  assert.ok(thrown instanceof zephr.ZephrInputError, `${label}: expected a ZephrInputError, got ${thrown?.constructor?.name}: ${thrown?.message}`);
  assert.equal(thrown.code, code, `${label}: ${thrown.message}`);
  assert.ok(!thrown.message.includes("s3cr3t"), `${label}: the message holds the secret: ${thrown.message}`);
  return thrown;
}

test("signRequest: every part of the wrong type or not well-formed is refused with its code", () => {
  const codes = {
    accessKey: "invalid_access_key", secretKey: "invalid_secret_key", method: "invalid_method", path: "invalid_path",
    query: "invalid_query", nonce: "invalid_nonce",
  };
  for (const [field, code] of Object.entries(codes)) {
    for (const value of [...WRONG, LONE]) {
      if (field === "query" && value == null) continue; // an absent query is the empty query
      refused(() => zephr.signRequest({ ...parts, [field]: value }), code, `${field} = ${show(value)}`);
    }
  }
  for (const value of [undefined, null, NaN, Infinity, -1, 1.5, true, 10n, {}, "", "NaN", LONE]) {
    refused(() => zephr.signRequest({ ...parts, timestamp: value }), "invalid_timestamp", `timestamp = ${show(value)}`);
  }
  for (const value of [5, NaN, true, 10n, {}, [1], Symbol("s")]) {
    refused(() => zephr.signRequest({ ...parts, body: value }), "invalid_body", `body = ${show(value)}`);
  }
  for (const value of [undefined, null, 5, SECRET]) {
    refused(() => zephr.signRequest(value), "invalid_options", `input = ${show(value)}`);
  }
});

test("prepareRequest: operation id, params and options of every wrong type", () => {
  const ok = zephr.prepareRequest("listUserSessions", { user_id: "u" }, options);
  assert.equal(ok.method, "GET");
  for (const id of [...WRONG, LONE]) {
    refused(() => zephr.prepareRequest(id, {}, options), "unknown_operation", `operationId = ${show(id)}`);
  }
  for (const value of [NaN, Infinity, -Infinity, 10n, () => 1, Symbol("s"), LONE, { nested: NaN }, [Infinity], new Uint8Array([1])]) {
    refused(() => zephr.prepareRequest("listUserSessions", { user_id: value }, options), "invalid_param", `user_id = ${show(value)}`);
  }
  for (const value of [new Uint8Array([123, 125]), Buffer.from("{}"), new DataView(new ArrayBuffer(2)), new ArrayBuffer(2)]) {
    const e = refused(() => zephr.prepareRequest("createUser", { body: value }, options), "invalid_body", `body = ${value.constructor.name}`);
    assert.match(e.message, /body/);
  }
  const cycle = {};
  cycle.self = cycle;
  refused(() => zephr.prepareRequest("createUser", { body: cycle }, options), "invalid_param", "a cyclic body");
  for (const value of [undefined, null, 5, "x", true, [], SECRET]) {
    refused(() => zephr.prepareRequest("listUserSessions", { user_id: "u" }, value), "invalid_options", `options = ${show(value)}`);
  }
  refused(() => zephr.prepareRequest("listUserSessions", { user_id: "u" }), "invalid_options", "options missing");
  for (const field of ["accessKey", "secretKey", "tenant", "baseUrl", "nonce", "timestamp", "clockOffsetMs"]) {
    for (const value of [NaN, Infinity, 10n, () => SECRET, Symbol("s"), { s: SECRET }, [SECRET], LONE, true]) {
      if (field === "timestamp" && value === true) continue;
      refused(() => zephr.prepareRequest("listUserSessions", { user_id: "u" }, { ...options, [field]: value }), "invalid_options",
        `options.${field} = ${show(value)}`);
    }
  }
  refused(() => zephr.prepareRequest("listUserSessions", { user_id: "u" }, { ...options, clockOffsetMs: 1.5 }), "invalid_options", "clockOffsetMs 1.5");
  // A NaN timestamp is an error, not "use the system clock".
  refused(() => zephr.prepareRequest("listUserSessions", { user_id: "u" }, { ...options, timestamp: NaN }), "invalid_options", "timestamp NaN");
});

test("option errors name the field, never a value (a missing secretKey says so)", () => {
  const missing = refused(() => zephr.prepareRequest("listAccounts", {}, { accessKey: "ak", baseUrl: options.baseUrl }), "invalid_options", "no secretKey");
  assert.equal(missing.message, "options: missing field `secretKey`");
  const wrong = refused(() => zephr.prepareRequest("listAccounts", {}, { ...options, secretKey: [SECRET] }), "invalid_options", "secret in an array");
  assert.equal(wrong.message, "options: `secretKey` must be a string");
  const client = refused(() => new zephr.ZephrClient({ accessKey: "ak", baseUrl: options.baseUrl }), "invalid_options", "client without secretKey");
  assert.equal(client.message, "options: missing field `secretKey`");
});

test("parseResponse: status outside 100..=599 and wrong types are refused, not wrapped", () => {
  assert.deepEqual(zephr.parseResponse("listAccounts", { status: 200, body: "[]" }), { results: [] });
  for (const status of [65736, 65536 + 200, 0, 99, 600, 200.5, -200, NaN, Infinity, "200", null, undefined, 10n, {}]) {
    refused(() => zephr.parseResponse("listAccounts", { status, body: "[]" }), "invalid_status", `status = ${show(status)}`);
  }
  for (const id of [...WRONG, LONE]) {
    refused(() => zephr.parseResponse(id, { status: 200, body: "[]" }), "unknown_operation", `operationId = ${show(id)}`);
  }
  for (const response of [undefined, null, 5, "x"]) {
    refused(() => zephr.parseResponse("listAccounts", response), "invalid_param", `response = ${show(response)}`);
  }
  for (const headers of [5, "x", true, [["a", 5]], [[LONE, "v"]], { a: NaN }, [5]]) {
    refused(() => zephr.parseResponse("listAccounts", { status: 200, headers, body: "[]" }), "invalid_param", `headers = ${show(headers)}`);
  }
});

test("ZephrClient: missing options, bad numeric options and bad per-call options are typed errors", async () => {
  for (const value of [undefined, null, 5, SECRET]) {
    refused(() => new zephr.ZephrClient(value), "invalid_options", `options = ${show(value)}`);
  }
  refused(() => new zephr.ZephrClient({ ...options, fetch: 5 }), "invalid_options", "fetch = 5");
  const bad = {
    timeoutMs: [0, -1, NaN, Infinity, 2 ** 31, 1.5, "100", null, 10n],
    maxRetries: [-1, 11, 1.5, NaN, Infinity, "2", null, 2 ** 32 - 1],
    maxResponseBytes: [0, -1, 2 ** 31, 1.5, NaN, Infinity, "1"],
    clockOffsetMs: [NaN, Infinity, 1.5, "5", 10n],
  };
  for (const [name, values] of Object.entries(bad)) {
    for (const value of values) {
      const e = refused(() => new zephr.ZephrClient({ ...options, [name]: value }), "invalid_options", `${name} = ${show(value)}`);
      assert.match(e.message, new RegExp(name), e.message);
    }
  }
  for (const [name, value] of [["timeoutMs", 1], ["timeoutMs", 2 ** 31 - 1], ["maxRetries", 0], ["maxRetries", 10], ["maxResponseBytes", 1]]) {
    assert.ok(new zephr.ZephrClient({ ...options, [name]: value }), `${name} = ${value} is accepted`);
  }
  // Per call: the same rules, before anything is sent.
  let sent = 0;
  const client = new zephr.ZephrClient({ ...options, fetch: () => { sent++; throw new Error("must not be called"); } });
  const perCall = [
    [() => client.request(5, {}), "unknown_operation"],
    [() => client.request("listUserSessions", { user_id: NaN }), "invalid_param"],
    [() => client.request("createUser", { body: new Uint8Array([1, 2]) }), "invalid_body"],
    [() => client.request("listAccounts", {}, 5), "invalid_options"],
    [() => client.request("listAccounts", {}, { signal: "abort" }), "invalid_options"],
    ...Object.entries(bad).filter(([n]) => n !== "clockOffsetMs").flatMap(([name, values]) =>
      values.map((v) => [() => client.request("listAccounts", {}, { [name]: v }), "invalid_options"])),
  ];
  for (const [call, code] of perCall) {
    await assert.rejects(call(), (e) => e instanceof zephr.ZephrInputError && e.code === code && !e.message.includes("s3cr3t"), code);
  }
  assert.equal(sent, 0, "nothing was sent");
});

test("a header value fetch cannot send is an input error before sending, not a retried connection error", async () => {
  let sent = 0;
  const client = new zephr.ZephrClient({ ...options, fetch: (url, init) => { sent++; return fetch(url, init); } });
  await assert.rejects(client.request("logOutAdminUserAccount", { "blaize-admin-session": "東京" }),
    (e) => e instanceof zephr.ZephrInputError && e.code === "invalid_header" && /blaize-admin-session/.test(e.message));
  assert.equal(sent, 0);
});
