// verifyWebhook on both backends beside what integrators write by hand (a constant-time
// compare with node:crypto and JSON.parse, no envelope checks). Usage: node bench/webhooks.mjs
// (after npm run build). One backend per process, as in use. Prints a Markdown table.
import { execFileSync } from "node:child_process";
import crypto from "node:crypto";
import os from "node:os";
import { fileURLToPath } from "node:url";
import { fmt, measure } from "./common.mjs";

const token = "whk-0123456789abcdef0123456789abcdef";
// The documented CREATE_USER payload (System Webhooks page), ~560 bytes.
const body = JSON.stringify({
  tenantId: "news", subTenantId: "news", type: "CREATE_USER", time: 1700000000000,
  details: {
    user_id: "ce219f64-59e2-46a5-ba5f-6dc8a0b31397", identifiers: { email_address: "gwen@zephr.com" },
    attributes: { "first-name": "Gwen", "last-name": "Doline" }, tenantId: "news", subTenantId: "news",
    email_verified: false, tracking_id: "e55fc897-be62-491e-93c3-ff11f7ae6274", registered: "2020-06-15T00:31:44Z",
    registration_state: "complete",
  },
  webhook: "crm",
});
const authorization = `Bearer ${token}`;
const expected = Buffer.from(token);

function byHand(header, text) {
  const given = Buffer.from(header.slice(7));
  if (!header.startsWith("Bearer ") || given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) throw new Error("refused");
  return JSON.parse(text);
}

const backendArg = process.argv.indexOf("--backend");
if (backendArg > 0) {
  const name = process.argv[backendArg + 1];
  const zephr = await import(name === "native" ? "zephr-admin/node" : "zephr-admin/wasm");
  if (zephr.backend !== name) throw new Error(`asked for ${name}, got ${zephr.backend}`);
  const bytes = new TextEncoder().encode(body);
  const options = { bearer: token, toleranceMs: 300_000, now: 1700000001000 };
  if (zephr.verifyWebhook({ authorization, body: bytes }, options).type !== "CREATE_USER") throw new Error("not verified");
  console.log(JSON.stringify({
    sdk: measure(() => zephr.verifyWebhook({ authorization, body: bytes }, options)),
    byHand: measure(() => byHand(authorization, body)),
  }));
} else {
  const self = fileURLToPath(import.meta.url);
  const run = (name) => JSON.parse(execFileSync(process.execPath, [self, "--backend", name], { encoding: "utf8" }));
  const native = run("native");
  const wasm = run("wasm");
  console.log(`${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${os.cpus()[0]?.model ?? "unknown CPU"} × ${os.cpus().length}, ${os.platform()}-${os.arch()}\n`);
  console.log(`Verifying one Bearer delivery of the documented CREATE_USER payload (${Buffer.byteLength(body)} bytes):\n`);
  console.log("| implementation | time per call | vs by hand |\n|---|---|---|");
  for (const [label, ns] of [
    ["verifyWebhook, native (napi-rs)", native.sdk],
    ["verifyWebhook, wasm", wasm.sdk],
    ["by hand: timingSafeEqual + JSON.parse (no envelope checks)", native.byHand],
  ]) console.log(`| ${label} | ${fmt(ns)} | ${(ns / native.byHand).toFixed(2)}× |`);
}
