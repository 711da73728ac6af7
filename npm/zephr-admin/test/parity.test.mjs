// Parity of the two backends: the wasm module and the native addon, called
// through the backend contract with the same generated inputs, answer the same
// text byte for byte (request descriptors, parse results, error JSON and codes)
// and the same steps of the call engine. Inputs come from a seeded generator, so a failure
// names a case that can be replayed.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import * as wasm from "../dist/wasm/zephr_admin_wasm.js";
import { loadNative } from "../dist/native.js";
import { operations } from "zephr-admin/wasm";
import { descriptorFromLines } from "../dist/core.js";

wasm.initSync({ module: new WebAssembly.Module(readFileSync(new URL("../dist/wasm/zephr_admin_wasm_bg.wasm", import.meta.url))) });
const loaded = loadNative();
if (!loaded.addon) throw new Error(`the native addon is not built: ${loaded.error}`);
const native = loaded.addon;

const root = new URL("../../../", import.meta.url);
const vectors = JSON.parse(readFileSync(new URL("tests/vectors/signing.json", root), "utf8")).vectors;
const samples = JSON.parse(readFileSync(new URL("tests/vectors/operations.json", root), "utf8")).operations;

// xorshift32: small, seeded, reproducible.
function rng(seed) {
  let x = seed >>> 0 || 1;
  const next = () => {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    return x;
  };
  const int = (n) => next() % n;
  const pick = (items) => items[int(items.length)];
  const chars = (alphabet, n) => Array.from({ length: n }, () => alphabet[int(alphabet.length)]).join("");
  const bytes = (n) => Uint8Array.from({ length: n }, () => int(256));
  return { int, pick, chars, bytes, float: () => next() / 2 ** 32 };
}

const ASCII = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~%!$&'()*+,;=:@/?# ";
const UNICODE = ASCII + "éüß東京🙂\u0000\r\n\t\"\\";

/** Calls `fn` on both backends: a returned value, or the thrown value (never an Error object). */
function both(fn) {
  const run = (backend) => {
    try {
      return { value: fn(backend) };
    } catch (e) {
      return { thrown: e instanceof Error ? `Error: ${e.message}` : e };
    }
  };
  return [run(wasm), run(native)];
}

function same(fn, label) {
  const [w, n] = both(fn);
  assert.deepEqual(n, w, label);
  return w;
}

/** The `Preparer` path (client parts once, the descriptor as lines) on both backends: the same
 * answer on each, and the same as `prepareRequest` with JSON options (`answer`, from `same`).
 * Only for options the package sends that way: the parts as well-formed strings, a number timestamp. */
function samePrepared(id, paramsText, opts, answer, label) {
  const { accessKey, secretKey, tenant, baseUrl, clockOffsetMs, timestamp, nonce } = opts;
  // Strings well-formed: the package sends lone surrogates the JSON way, which names them.
  const strings = [accessKey, secretKey, nonce].every((v) => typeof v === "string" && v.isWellFormed())
    && [tenant, baseUrl].every((v) => v === undefined || (typeof v === "string" && v.isWellFormed()));
  if (!strings || !(clockOffsetMs === undefined || typeof clockOffsetMs === "number") || typeof timestamp !== "number") return false;
  const lines = same((b) => {
    const preparer = new b.Preparer(accessKey, secretKey, tenant, baseUrl, clockOffsetMs);
    try {
      return preparer.prepare(id, paramsText, timestamp, nonce);
    } finally {
      preparer.free?.();
    }
  }, label);
  const json = JSON.parse(answer.thrown ?? answer.value);
  if (lines.thrown !== undefined) assert.deepEqual(JSON.parse(lines.thrown), json, label);
  else assert.deepEqual({ ok: descriptorFromLines(lines.value) }, json, label);
  return true;
}

function errCode(answer) {
  if (answer.thrown !== undefined) return JSON.parse(answer.thrown).err.code;
  const parsed = JSON.parse(answer.value);
  return parsed.err?.code;
}

test("signRequest: every shared vector and generated parts, valid and not", () => {
  for (const v of vectors) {
    const body = new TextEncoder().encode(v.body);
    const answer = same((b) => b.signRequest(v.accessKey, v.secretKey, v.method, v.path, v.query, body, v.timestamp, v.nonce), v.id);
    assert.equal(answer.value, v.authorization, v.id);
  }
  const r = rng(0x5eed);
  const codes = new Set();
  for (let i = 0; i < 3000; i++) {
    const parts = [
      r.int(10) === 0 ? r.chars(ASCII, r.int(4)) : r.chars("abcdef0123456789-", 1 + r.int(36)),
      r.int(20) === 0 ? "" : r.chars(UNICODE, 1 + r.int(40)),
      r.int(10) === 0 ? r.chars(UNICODE, r.int(6)) : r.pick(["GET", "POST", "PUT", "PATCH", "DELETE"]),
      (r.int(8) === 0 ? "" : "/") + r.chars(r.int(5) === 0 ? UNICODE : ASCII.replace(/[?# ]/g, ""), r.int(60)),
      r.chars(r.int(5) === 0 ? UNICODE : ASCII.replace(/[# ]/g, ""), r.int(40)),
      r.int(3) === 0 ? r.bytes(r.int(300)) : r.chars(UNICODE, r.int(250)),
      r.int(10) === 0 ? r.pick(["", "-1", "01", "1.5", "1e3", "99999999999999999999", r.chars(UNICODE, 5)]) : String(1_700_000_000_000 + r.int(1e9)),
      r.int(10) === 0 ? r.chars(UNICODE, r.int(8)) : r.chars("abcdef0123456789-", 1 + r.int(36)),
    ];
    const body = parts[5];
    let text;
    if (typeof body === "string") {
      text = both(() => native.signRequestText(...parts))[0];
      parts[5] = new TextEncoder().encode(body);
    }
    const answer = same((b) => b.signRequest(...parts), `case ${i}`);
    // A text body given as text (native only): the same as the bytes TextEncoder makes of it,
    // lone surrogates included.
    if (text) assert.deepEqual(text, answer, `case ${i} (text)`);
    if (answer.thrown !== undefined) codes.add(errCode(answer));
  }
  // A text body larger than the native layer's stack buffer, ending in a lone surrogate.
  const big = ["ak", "sk", "POST", "/v3/users", "", "é東🙂".repeat(2000) + "\uD800", "1700000000000", "n-1"];
  const bigText = both(() => native.signRequestText(...big))[0];
  big[5] = new TextEncoder().encode(big[5]);
  assert.deepEqual(same((b) => b.signRequest(...big), "big body"), bigText);
  assert.ok(bigText.value.startsWith("ZEPHR-HMAC-SHA256 ak:"), bigText.value);
  // The generator reaches the refusals, not only the happy path.
  for (const code of ["invalid_access_key", "invalid_secret_key", "invalid_method", "invalid_path", "invalid_nonce", "invalid_timestamp"]) {
    assert.ok(codes.has(code), `no generated case refused with ${code}: ${[...codes]}`);
  }
});

test("prepareRequest: every operation of the catalogue, byte-identical descriptors", () => {
  assert.equal(samples.length, operations.length);
  const options = [
    { accessKey: "ak", secretKey: "sk", baseUrl: "http://127.0.0.1:8080", timestamp: 1700000000000, nonce: "n-1" },
    { accessKey: "a3f1c2d4", secretKey: "Zoë 東京", tenant: "news", timestamp: "1700000000123", nonce: "5e1a7c1f3b", clockOffsetMs: 250 },
  ];
  const byId = new Map(samples.map((s) => [s.operationId, s]));
  for (const op of operations) {
    const sample = byId.get(op.operationId);
    assert.ok(sample, `no sample for ${op.operationId}`);
    const params = { ...sample.params };
    if (sample.body !== null) params.body = sample.body;
    for (const opts of options) {
      const answer = same((b) => b.prepareRequest(op.operationId, JSON.stringify(params), JSON.stringify(opts)), op.operationId);
      const parsed = JSON.parse(answer.value);
      assert.ok(parsed.ok, `${op.operationId}: ${answer.value}`);
      assert.equal(parsed.ok.method, op.method, op.operationId);
      const numeric = { ...opts, timestamp: Number(opts.timestamp) };
      const numericAnswer = same((b) => b.prepareRequest(op.operationId, JSON.stringify(params), JSON.stringify(numeric)), op.operationId);
      assert.ok(samePrepared(op.operationId, JSON.stringify(params), numeric, numericAnswer, op.operationId));
    }
  }
});

test("prepareRequest: generated parameters, bodies and options, identical answers and error codes", () => {
  const r = rng(0xc0ffee);
  const codes = new Set();
  const prepared = new Set();
  const value = (depth = 0) => {
    switch (r.int(depth > 2 ? 5 : 8)) {
      case 0: return r.chars(UNICODE, r.int(20));
      case 1: return r.int(1e6) - 5e5;
      case 2: return r.float() * 1e6;
      case 3: return r.pick([true, false, null]);
      case 4: return r.chars(ASCII, r.int(10));
      case 5: return Array.from({ length: r.int(4) }, () => value(depth + 1));
      default: return Object.fromEntries(Array.from({ length: r.int(4) }, () => [r.chars(ASCII, 1 + r.int(6)), value(depth + 1)]));
    }
  };
  for (let i = 0; i < 2000; i++) {
    const sample = r.pick(samples);
    const params = { ...sample.params };
    if (sample.body !== null) params.body = sample.body;
    const keys = Object.keys(params);
    switch (r.int(6)) {
      case 0: if (keys.length) delete params[r.pick(keys)]; break;
      case 1: params[r.chars(ASCII, 1 + r.int(8))] = value(); break;
      case 2: if (keys.length) params[r.pick(keys)] = value(); break;
      case 3: params.body = value(); break;
      default: break;
    }
    const opts = {
      accessKey: r.int(15) === 0 ? r.chars(UNICODE, r.int(5)) : "ak",
      secretKey: "sk",
      ...(r.int(2) === 0 ? { tenant: r.int(10) === 0 ? r.chars(ASCII, r.int(10)) : "news" } : { baseUrl: r.pick(["http://127.0.0.1:8080", "https://x.example/api/", "ftp://x", "", r.chars(ASCII, 12)]) }),
      timestamp: r.int(10) === 0 ? r.pick([-1, 1.5, "01", "x"]) : 1_700_000_000_000 + r.int(1e6),
      nonce: r.int(10) === 0 ? r.chars(UNICODE, r.int(6)) : "n-" + r.int(1e6),
    };
    // Options of the wrong shape: a member missing or of the wrong type, or no object at all.
    if (r.int(20) === 0) delete opts[r.pick(["accessKey", "secretKey"])];
    if (r.int(20) === 0) opts[r.pick(["accessKey", "secretKey", "nonce", "clockOffsetMs"])] = r.pick([5, [], {}, true, "x"]);
    const optsText = r.int(60) === 0 ? r.pick(["null", "5", "[]", "\"sk\"", "{"]) : JSON.stringify(opts);
    const id = r.int(40) === 0 ? r.chars(ASCII, 8) : sample.operationId;
    const paramsText = r.int(50) === 0 ? r.chars(UNICODE, r.int(10)) : JSON.stringify(params);
    const answer = same((b) => b.prepareRequest(id, paramsText, optsText), `case ${i}: ${id}`);
    const code = errCode(answer);
    if (code) codes.add(code);
    if (optsText === JSON.stringify(opts) && samePrepared(id, paramsText, opts, answer, `case ${i}: ${id} (Preparer)`)) {
      prepared.add(code ?? "ok");
    }
  }
  // The Preparer path met successes and the refusals of every stage.
  for (const code of ["ok", "unknown_operation", "unknown_param", "invalid_base_url", "invalid_timestamp", "invalid_nonce"]) {
    assert.ok(prepared.has(code), `no Preparer case ended with ${code}: ${[...prepared]}`);
  }
  for (const code of ["unknown_operation", "missing_param", "unknown_param", "invalid_param", "invalid_base_url", "invalid_options"]) {
    assert.ok(codes.has(code), `no generated case refused with ${code}: ${[...codes]}`);
  }
});

test("parseResponse: documented answers, statuses, headers, pages and garbage, identical results", () => {
  const r = rng(0xbadf00d);
  const codes = new Set();
  const enc = new TextEncoder();
  for (const sample of samples) {
    const body = enc.encode(sample.response.body === null ? "" : JSON.stringify(sample.response.body));
    same((b) => b.parseResponse(sample.operationId, sample.response.status, "[]", body), sample.operationId);
  }
  for (let i = 0; i < 3000; i++) {
    const sample = r.pick(samples);
    const status = r.int(30) === 0
      ? r.pick([65736, 65536 + 200, 0, 99, 600, 200.5, -200, NaN, Infinity]) // never wrapped to a valid status
      : r.pick([200, 201, 204, 400, 401, 403, 404, 409, 418, 429, 500, 502, 503, 504, 100 + r.int(500)]);
    const headers = JSON.stringify(Array.from({ length: r.int(3) }, () => [r.pick(["X-Request-Id", "Retry-After", "Content-Type", r.chars(ASCII, 5)]), r.chars(UNICODE, r.int(12))]));
    let body;
    switch (r.int(5)) {
      case 0: body = r.bytes(r.int(200)); break;
      case 1: body = enc.encode(JSON.stringify(sample.response.body).slice(0, r.int(80))); break;
      case 2: body = enc.encode(JSON.stringify({ message: r.chars(UNICODE, r.int(30)), results: [{ id: r.int(9) }], total: r.pick([1, "4", null, r.chars(ASCII, 3)]) })); break;
      default: body = enc.encode(sample.response.body === null ? "" : JSON.stringify(sample.response.body)); break;
    }
    const headersText = r.int(60) === 0 ? "{" : headers;
    const answer = same((b) => b.parseResponse(sample.operationId, status, headersText, body), `case ${i}: ${sample.operationId} ${status}`);
    const code = errCode(answer);
    if (code) codes.add(code);
  }
  for (const code of ["decode_error", "not_found", "authentication_failed", "rate_limited", "server_error", "unexpected_status", "invalid_status"]) {
    assert.ok(codes.has(code), `no generated case answered ${code}: ${[...codes]}`);
  }
});

test("call handles: generated outcomes (statuses, Retry-After, failures, pages), identical steps", () => {
  const r = rng(42);
  const now = Date.UTC(2026, 0, 1);
  const options = JSON.stringify({ accessKey: "ak", secretKey: "sk", baseUrl: "http://127.0.0.1:8080" });
  const clients = { wasm: new wasm.ClientHandle(options), native: new native.ClientHandle(options) };
  const ids = ["listAccounts", "getUser", "createUser", "deleteUser", "listUserSessions", "nope"];
  const steps = new Set();
  for (let i = 0; i < 300; i++) {
    const id = r.pick(ids);
    const params = JSON.stringify(id === "listAccounts" ? { rpp: 1 + r.int(3) } : { user_id: "u-1", body: {} });
    const settings = JSON.stringify({ maxRetries: r.int(4), paginate: r.int(2) === 0 });
    const calls = { wasm: clients.wasm.call(id, params, settings), native: clients.native.call(id, params, settings) };
    for (let n = 0, t = now; n < 30; n++) {
      const nonce = `n-${i}-${n}`;
      const step = same((b) => calls[b === wasm ? "wasm" : "native"].poll(t, nonce), `case ${i} poll ${n}`);
      const parsed = JSON.parse(step.value);
      steps.add(parsed.step);
      if (parsed.step === "finished" || parsed.step === "error") break;
      if (parsed.step === "wait") t += parsed.ms;
      if (parsed.step !== "send") continue;
      const outcome = r.int(6) === 0
        ? { failure: { kind: r.pick(["connect", "timedOut", "interrupted", "bodyTooLarge"]), message: "x" } }
        : { response: { status: r.pick([200, 200, 200, 404, 429, 500, 503, r.int(700)]), headers: [["retry-after", r.pick(["", "1", "-3", r.chars(UNICODE, 4)])]] } };
      const body = new TextEncoder().encode(r.pick(['{"results":[{"account_id":"a"}],"total":3}', "[]", "{", '{"user_id":"u-1"}', ""]));
      const jitter = r.float();
      same((b) => calls[b === wasm ? "wasm" : "native"].handle(JSON.stringify(outcome), body, t, jitter), `case ${i} handle ${n}`);
    }
  }
  for (const step of ["send", "wait", "output", "error", "finished"]) assert.ok(steps.has(step), `no case reached ${step}: ${[...steps]}`);
});
