// Run by Deno and Bun (see runtimes.test.mjs): loads the package through its Node entry,
// signs every shared vector and 50 random requests, and does a client round trip against
// the loopback server. Prints one JSON document on stdout; exits non-zero on any error.
//
//   deno run --allow-read=VECTORS_JSON --allow-net check.mjs SERVER_URL ACCESS_KEY SECRET_KEY VECTORS_JSON
//   bun check.mjs SERVER_URL ACCESS_KEY SECRET_KEY VECTORS_JSON
import { readFileSync } from "node:fs";
import { backend, signRequest, ZephrClient } from "../../dist/entry-node.js";

const [serverUrl, accessKey, secretKey, vectorsPath] = (globalThis.Deno?.args ?? process.argv.slice(2));
if (!vectorsPath) throw new Error("usage: check.mjs SERVER_URL ACCESS_KEY SECRET_KEY VECTORS_JSON");

const runtime = globalThis.Deno ? `deno ${Deno.version.deno}` : globalThis.Bun ? `bun ${Bun.version}` : `other ${globalThis.process?.version}`;

// Shared vectors.
const { vectors } = JSON.parse(readFileSync(vectorsPath, "utf8"));
const vectorResults = vectors.map((v) => {
  const got = signRequest({
    accessKey: v.accessKey, secretKey: v.secretKey, method: v.method, path: v.path,
    query: v.query, body: v.body, timestamp: v.timestamp, nonce: v.nonce,
  });
  return { id: v.id, ok: got === v.authorization, got, expected: v.authorization };
});

// Random requests: ASCII (percent-encoded) paths and queries, text bodies with non-ASCII
// characters, binary bodies, random credentials, timestamps and nonces.
const random = (n) => crypto.getRandomValues(new Uint32Array(1))[0] % n;
const pick = (items) => items[random(items.length)];
const CHARS = [..."abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 -_.~!*'()&=+/?#%:;,\"{}[]\\\néüß東京😀"];
const text = (max) => Array.from({ length: random(max + 1) }, () => pick(CHARS)).join("");
const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
const requests = [];
for (let i = 0; i < 50; i++) {
  const segments = Array.from({ length: 1 + random(4) }, () => encodeURIComponent(text(12)) || "x");
  const pairs = Array.from({ length: random(4) }, () => `${encodeURIComponent(text(6)) || "k"}=${encodeURIComponent(text(10))}`);
  const kind = pick(["empty", "text", "bytes"]);
  const bytes = kind === "bytes" ? crypto.getRandomValues(new Uint8Array(random(64))) : undefined;
  const input = {
    accessKey: crypto.randomUUID(),
    secretKey: text(40).replaceAll("\n", " ") || "s",
    method: pick(["GET", "POST", "PUT", "PATCH", "DELETE"]),
    path: `/v${1 + random(4)}/${segments.join("/")}`,
    query: pairs.join("&"),
    body: kind === "text" ? text(80) : kind === "bytes" ? bytes : "",
    timestamp: String(1_600_000_000_000 + random(2 ** 31)),
    nonce: pick([crypto.randomUUID(), String(random(1e9)), hex(crypto.getRandomValues(new Uint8Array(8)))]),
  };
  const authorization = signRequest(input);
  requests.push({ ...input, body: kind === "bytes" ? undefined : input.body, bodyHex: bytes ? hex(bytes) : undefined, authorization });
}

// Client round trip through the runtime's own fetch.
const client = new ZephrClient({ baseUrl: serverUrl, accessKey, secretKey, maxRetries: 0 });
const accounts = [];
for await (const account of client.paginate("listAccounts", { rpp: 3 })) accounts.push(account);
const sessions = await client.users.listSessions({ user_id: "a/b" });
const created = await client.request("createUser", { body: { identifiers: { email_address: "zoe@example.com" }, attributes: { city: "東京" } } });

console.log(JSON.stringify({ runtime, backend, vectors: vectorResults, requests, roundTrip: { accounts, sessions, created } }));
