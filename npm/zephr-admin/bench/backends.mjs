// The two backends side by side on the same ~250-byte request, beside what
// integrators write by hand. Usage: node bench/backends.mjs (after npm run build).
// Each backend is measured in its own process (one backend per process, as in
// use); the baselines run in both, and each ratio is against its own process's. Each time is
// CPU time, the fastest of seven short runs taken in turn (see `fastest`).
// Prints a Markdown table.
import { execFileSync } from "node:child_process";
import crypto from "node:crypto";
import os from "node:os";
import { fileURLToPath } from "node:url";
import { accessKey, fastest, fmt, handWritten, secretKey } from "./common.mjs";


const body = '{"identifiers":{"email_address":"zoe.muller@example.com"},"validators":{"password":"sup3r-s3cr3t"},"attributes":{"first_name":"Zoë","surname":"Müller","city":"東京","newsletter":true,"plan":"premium"}}';
const input = { accessKey, secretKey, method: "POST", path: "/v3/users", query: "", body, timestamp: 1700000001000, nonce: "c56a4180-65aa-42ec-a945-5fd21dec0538" };
const hashedBytes = Buffer.byteLength(secretKey + body + input.path + input.query + input.method + String(input.timestamp) + input.nonce);

// The practical floor: one string, one-shot crypto.hash (Node 20.12+).
function oneShot({ accessKey, secretKey, method, path, query, body, timestamp, nonce }) {
  const hash = crypto.hash("sha256", secretKey + body + path + query + method + timestamp + nonce, "hex");
  return `ZEPHR-HMAC-SHA256 ${accessKey}:${timestamp}:${nonce}:${hash}`;
}

const userId = "5fd2b1a4-6c0e-4f7e-9b1d-2a3c4d5e6f70";
const attributes = { first_name: "Zoë", surname: "Müller", city: "東京", newsletter: true };
const prepareOptions = { accessKey, secretKey, tenant: "demo", timestamp: 1700000001000, nonce: "n-1" };
function prepareByHand() {
  const text = JSON.stringify(attributes);
  const path = `/v3/users/${encodeURIComponent(userId)}/attributes`;
  const authorization = handWritten({ accessKey, secretKey, method: "PATCH", path, query: "", body: text, timestamp: 1700000001000, nonce: "n-1" });
  return { method: "PATCH", url: `https://demo.api.zephr.com${path}`, headers: { authorization, "content-type": "application/json" }, body: text };
}

const backendArg = process.argv.indexOf("--backend");
if (backendArg > 0) {
  // A child: one backend.
  const name = process.argv[backendArg + 1];
  const zephr = await import(name === "native" ? "zephr-admin/node" : "zephr-admin/wasm");
  if (zephr.backend !== name) throw new Error(`asked for ${name}, got ${zephr.backend}`);
  for (const f of [handWritten, oneShot]) {
    if (f(input) !== zephr.signRequest(input)) throw new Error(`${f.name} disagrees with the SDK`);
  }
  const prepare = () => zephr.prepareRequest("updateUserAttribute", { user_id: userId, body: attributes }, prepareOptions);
  if (JSON.stringify(prepare().body) !== JSON.stringify(prepareByHand().body)) throw new Error("prepare baseline disagrees");
  console.log(JSON.stringify(fastest({
    sign: () => zephr.signRequest(input),
    handWritten: () => handWritten(input),
    oneShot: () => oneShot(input),
    prepare,
    prepareByHand,
  })));
} else {
  const self = fileURLToPath(import.meta.url);
  const run = (name) => JSON.parse(execFileSync(process.execPath, [self, "--backend", name], { encoding: "utf8" }));
  const native = run("native");
  const wasm = run("wasm");
  // Each ratio is against the baseline measured in the same process (the same spells of load).
  const rows = [
    ["signRequest, native (napi-rs)", native.sign, native.handWritten],
    ["signRequest, wasm", wasm.sign, wasm.handWritten],
    ["hand-written node:crypto: createHash + 7 updates (native process / wasm process)", native.handWritten, native.handWritten, wasm.handWritten],
    ["node:crypto `crypto.hash` one-shot (the floor)", native.oneShot, native.handWritten],
  ];
  const prepareRows = [
    ["prepareRequest, native (napi-rs)", native.prepare, native.prepareByHand],
    ["prepareRequest, wasm", wasm.prepare, wasm.prepareByHand],
    ["hand-written JS: JSON.stringify + URL + createHash (native process / wasm process)", native.prepareByHand, native.prepareByHand, wasm.prepareByHand],
  ];
  const cell = (ns, also) => (also === undefined ? fmt(ns) : `${fmt(ns)} / ${fmt(also)}`);
  console.log(`${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${os.cpus()[0]?.model ?? "unknown CPU"} × ${os.cpus().length}, ${os.platform()}-${os.arch()}\n`);
  console.log(`Signing one POST whose hashed input is ${hashedBytes} bytes (secret, JSON body, path, method, timestamp, nonce):\n`);
  console.log("| implementation | time per call | vs hand-written createHash |\n|---|---|---|");
  for (const [name, ns, base, also] of rows) console.log(`| ${name} | ${cell(ns, also)} | ${(ns / base).toFixed(2)}× |`);
  console.log("\n`prepareRequest(\"updateUserAttribute\", ...)`: a signed JSON PATCH descriptor (method, URL, headers, body):\n");
  console.log("| implementation | time per call | vs hand-written JS |\n|---|---|---|");
  for (const [name, ns, base, also] of prepareRows) console.log(`| ${name} | ${cell(ns, also)} | ${(ns / base).toFixed(2)}× |`);
}
