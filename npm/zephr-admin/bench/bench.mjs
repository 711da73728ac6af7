// Benchmarks of the JS surface beside hand-written baselines, run side by side.
// Usage: node bench/bench.mjs  (after npm run build). Prints a Markdown table.
import os from "node:os";
import * as zephr from "../dist/entry-node.js";
import { accessKey, fmt, handWritten, measure, secretKey } from "./common.mjs";

const body = '{"identifiers":{"email_address":"zoe.muller@example.com"},"validators":{"password":"sup3r-s3cr3t"},"attributes":{"first_name":"Zoë","surname":"Müller","city":"東京"}}';
const input = { accessKey, secretKey, method: "POST", path: "/v3/users", query: "", body, timestamp: 1700000001000, nonce: "c56a4180-65aa-42ec-a945-5fd21dec0538" };

if (handWritten(input) !== zephr.signRequest(input)) throw new Error("baseline disagrees with the SDK");

const rows = [];
const sign = measure(() => zephr.signRequest(input));
const signBase = measure(() => handWritten(input));
rows.push([`signRequest, ~250-byte POST (${zephr.backend})`, sign, "hand-written node:crypto createHash + 7 updates", signBase]);

const item = '{"account_id":"0123456789ABCD","name":"Acme Publishing","number_of_seats":25,"tenantId":"news","attributes":{"region":"eu","tags":["a","b"]}}';
const count = Math.floor(1_048_576 / (item.length + 1));
const listBody = `{"results":[${Array(count).fill(item).join(",")}],"total":${count}}`;
const listBytes = new TextEncoder().encode(listBody);
const parse = measure(() => zephr.parseResponse("listAccounts", { status: 200, headers: {}, body: listBytes }), 3000);
const parseBase = measure(() => JSON.parse(new TextDecoder().decode(listBytes)), 3000);
rows.push([`parseResponse, 1 MB list (${zephr.backend})`, parse, "TextDecoder + JSON.parse", parseBase]);

const prepare = measure(() => zephr.prepareRequest("updateUserAttribute", { user_id: "5fd2b1a4-6c0e-4f7e-9b1d-2a3c4d5e6f70", body: { first_name: "Zoë" } },
  { accessKey, secretKey, tenant: "demo", timestamp: 1700000001000, nonce: "n-1" }));
const prepareBase = measure(() => {
  const text = JSON.stringify({ first_name: "Zoë" });
  const path = `/v3/users/${encodeURIComponent("5fd2b1a4-6c0e-4f7e-9b1d-2a3c4d5e6f70")}/attributes`;
  const authorization = handWritten({ accessKey, secretKey, method: "PATCH", path, query: "", body: text, timestamp: 1700000001000, nonce: "n-1" });
  return { method: "PATCH", url: `https://demo.api.zephr.com${path}`, headers: { authorization, "content-type": "application/json" }, body: text };
});
rows.push([`prepareRequest, JSON PATCH (${zephr.backend})`, prepare, "JSON.stringify + createHash + URL by hand", prepareBase]);

console.log(`${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${os.cpus()[0]?.model ?? "unknown CPU"} × ${os.cpus().length}\n`);
console.log("| benchmark | zephr-admin | baseline | baseline time | ratio |\n|---|---|---|---|---|");
for (const [name, ours, baseName, base] of rows) {
  console.log(`| ${name} | ${fmt(ours)} | ${baseName} | ${fmt(base)} | ${(ours / base).toFixed(2)}× |`);
}
