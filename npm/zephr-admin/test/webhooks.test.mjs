// Webhooks: verifyWebhook, constructEvent and generateTestWebhook on the selected backend
// (ZEPHR_BACKEND=wasm|native), then real deliveries from the project's emulator
// (`zephr emulator`) to an SDK receiver in Node and, on the wasm run, in workerd (Miniflare).
// Needs `npm run build` and `cargo build -p zephr-cli`.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { dirname, join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { expectedBackend, zephr } from "./support/backend.mjs";

const { constructEvent, generateTestWebhook, verifyWebhook, ZephrWebhookError, ZephrError } = zephr;
const pkg = dirname(dirname(fileURLToPath(import.meta.url)));
const zephrBin = join(pkg, "..", "..", "target", "debug", "zephr");
const ACCESS_KEY = "a3f1c2d4-5b6e-4f70-8a9b-0c1d2e3f4a5b";
const SECRET_KEY = "9b8c7d6e-5f4a-4b3c-8d2e-1f0a9b8c7d6e";
const BEARER = { bearer: "whk-token-0123456789" };
const BASIC = { basic: { username: "zephr", password: "pa55:word" } };

/** Runs `fn` and returns the ZephrWebhookError it throws. */
function refusal(fn) {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof ZephrWebhookError, `${error}`);
    assert.ok(error instanceof ZephrError);
    return error;
  }
  assert.fail("accepted");
}

test(`verifyWebhook (${expectedBackend}): Bearer and Basic deliveries pass and narrow on type`, () => {
  for (const credentials of [BEARER, BASIC]) {
    const delivery = generateTestWebhook(
      { type: "CREATE_USER", details: { user_id: "u-1", identifiers: { email_address: "ada@example.com" } }, webhook: "crm" },
      credentials,
    );
    const event = verifyWebhook({ authorization: delivery.headers.authorization, body: delivery.body }, { ...credentials, toleranceMs: 60_000 });
    assert.equal(event.type, "CREATE_USER");
    if (event.type === "CREATE_USER") assert.equal(event.details.identifiers?.email_address, "ada@example.com");
    assert.equal(event.webhook, "crm");
    assert.match(event.dedupeKey, /^zwh_[0-9a-f]{32}$/);
  }
  assert.match(generateTestWebhook({ type: "GRANT" }, BASIC).headers.authorization, /^Basic [A-Za-z0-9+/=]+$/);
});

test(`verifyWebhook (${expectedBackend}): wrong, missing, malformed credentials and stale events are typed refusals`, () => {
  const delivery = generateTestWebhook({ type: "GRANT", details: {} }, BEARER);
  const body = delivery.body;
  const wrong = refusal(() => verifyWebhook({ authorization: "Bearer whk-token-0123456788", body }, BEARER));
  assert.equal(wrong.code, "webhook_wrong_credentials");
  assert.equal(wrong.status, 401);
  assert.ok(!wrong.message.includes("whk-token"), "no token in messages");
  assert.equal(refusal(() => verifyWebhook({ authorization: undefined, body }, BEARER)).code, "webhook_missing_authorization");
  const malformed = refusal(() => verifyWebhook({ authorization: delivery.headers.authorization, body }, BASIC));
  assert.equal(malformed.code, "webhook_malformed_authorization");
  assert.equal(malformed.reason, "wrong_scheme");
  const stale = generateTestWebhook({ type: "GRANT", time: Date.now() - 10 * 60_000 }, BEARER);
  const staleError = refusal(() => verifyWebhook({ authorization: stale.headers.authorization, body: stale.body }, { ...BEARER, toleranceMs: 60_000 }));
  assert.equal(staleError.code, "webhook_stale_event");
  assert.equal(staleError.status, 400);
  assert.ok(staleError.ageMs >= 10 * 60_000 && staleError.toleranceMs === 60_000);
  for (const bad of ["", "[]", "null", '"x"', "{}", '{"type":"GRANT"}', "not json"]) {
    assert.equal(refusal(() => verifyWebhook({ authorization: delivery.headers.authorization, body: bad }, BEARER)).code, "webhook_invalid_body", bad);
  }
  assert.equal(refusal(() => verifyWebhook({ authorization: "x", body }, { bearer: "" })).code, "webhook_invalid_config");
  const config = refusal(() => verifyWebhook({ authorization: "x", body }, { bearer: "t", basic: { username: "u", password: "secret-pw" } }));
  assert.equal(config.code, "webhook_invalid_config");
  assert.ok(!config.message.includes("secret-pw"));
});

test(`verifyWebhook (${expectedBackend}): unknown types come out as UNKNOWN with their raw name`, () => {
  const delivery = generateTestWebhook({ type: "BRAND_NEW_EVENT", details: [1] }, BEARER);
  const event = verifyWebhook({ authorization: delivery.headers.authorization, body: delivery.body }, BEARER);
  assert.equal(event.type, "UNKNOWN");
  assert.equal(event.rawType, "BRAND_NEW_EVENT");
  assert.deepEqual(event.details, [1]);
  // Every type name of the TypeScript union is known to the core.
  for (const type of ["CREATE_USER", "DELETE_USER", "UPDATE_USER", "UPDATE_USER_EMAIL", "EMAIL_VERIFIED", "UPDATE_EXTENDED_PROFILE",
    "DELETE_EXTENDED_PROFILE", "CREATE_SESSION", "LOGIN", "ADD_USER_TO_ACCOUNT", "REMOVE_USER_FROM_ACCOUNT", "GRANT", "GRANT_STARTED",
    "GRANT_ENDED", "SUBSCRIPTION_CHANGE", "SUBSCRIPTION_CANCELLATION", "DECISION_ACCESS", "RULE_OUTCOME", "INACTIVITY_DELETE"]) {
    const d = generateTestWebhook({ type }, BEARER);
    assert.equal(verifyWebhook({ authorization: d.headers.authorization, body: d.body }, BEARER).type, type);
  }
});

/** A node:http server whose handler is `handle(req, res)`; resolves to its URL. */
async function listen(handle) {
  const server = createServer((req, res) => {
    handle(req, res).catch((error) => {
      res.writeHead(500).end(String(error));
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, url: `http://127.0.0.1:${server.address().port}/webhooks` };
}

test(`constructEvent (${expectedBackend}): a Fetch Request, an IncomingMessage read here, and a raw body read by a parser`, async () => {
  const delivery = generateTestWebhook({ type: "LOGIN", details: { user_id: "u-2" } }, BEARER, "PUT");
  const fromRequest = await constructEvent(delivery.toRequest(), BEARER);
  assert.equal(fromRequest.type, "LOGIN");

  const results = [];
  const { server, url } = await listen(async (req, res) => {
    let event;
    if (req.headers["x-parser"]) {
      // What express.raw() does: the stream is consumed, the bytes handed over.
      const chunks = [];
      for await (const chunk of req) chunks.push(chunk);
      event = await constructEvent(req, { ...BEARER, body: Buffer.concat(chunks) }).catch((e) => e);
      results.push(event);
      const again = await constructEvent(req, BEARER).catch((e) => e);
      results.push(again);
    } else {
      event = await constructEvent(req, BEARER).catch((e) => e);
      results.push(event);
    }
    res.writeHead(event instanceof ZephrWebhookError ? event.status : 200).end();
  });
  try {
    const send = (extra = {}) => fetch(url, { method: delivery.method, headers: { ...delivery.headers, ...extra }, body: delivery.body });
    assert.equal((await send()).status, 200);
    assert.equal((await send({ "x-parser": "1" })).status, 200);
    assert.equal((await send({ authorization: "Bearer nope" })).status, 401);
  } finally {
    server.close();
  }
  assert.equal(results[0].type, "LOGIN");
  assert.equal(results[1].type, "LOGIN");
  assert.equal(results[2].code, "webhook_invalid_body", "a consumed stream without the raw body is a clear error");
  assert.equal(results[3].code, "webhook_wrong_credentials");
});

// ---- real deliveries from the emulator ----------------------------------------------------

let emulator;
let baseUrl;

before(async () => {
  assert.ok(existsSync(zephrBin), "build the zephr binary first: cargo build -p zephr-cli");
  emulator = spawn(zephrBin, ["emulator", "--port", "0", "--quiet", "--webhook-retries", ""], { stdio: ["ignore", "pipe", "inherit"] });
  let timer;
  baseUrl = await new Promise((resolve, reject) => {
    let out = "";
    emulator.stdout.setEncoding("utf8").on("data", (chunk) => {
      out += chunk;
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (match) resolve(match[1]);
    });
    emulator.on("exit", (code) => reject(new Error(`the emulator exited (${code}): ${out}`)));
    timer = setTimeout(() => reject(new Error(`the emulator did not start: ${out}`)), 10_000);
  }).finally(() => clearTimeout(timer));
});
after(() => emulator?.kill());

const client = () => new zephr.ZephrClient({ baseUrl, accessKey: ACCESS_KEY, secretKey: SECRET_KEY, maxRetries: 0 });

async function deliveries() {
  const answer = await fetch(`${baseUrl}/__emulator/webhooks/deliveries`);
  return (await answer.json()).results;
}

/** Waits until `count` deliveries to `target` exist and none is pending (a deadline, not a timing check). */
async function settled(target, count) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const mine = (await deliveries()).filter((d) => d.target === target);
    if (mine.length >= count && mine.every((d) => d.state !== "pending")) return mine;
    assert.ok(Date.now() < deadline, `deliveries did not settle: ${JSON.stringify(mine)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function injectFault(fault) {
  const answer = await fetch(`${baseUrl}/__emulator/webhooks/faults?fault=${fault}&times=1`, { method: "POST" });
  assert.equal(answer.status, 204);
}

/** Creates a webhook for `target`, then drives the emulator through user, grant and membership
 * changes and three injected faults, one state change at a time; returns what was delivered. */
async function drive(target, label) {
  const c = client();
  const webhook = await c.request("createWebhook", {
    body: { label, triggers: ["CREATE_USER", "GRANT", "ADD_USER_TO_ACCOUNT"], method: "POST", target, credentials: { type: "bearer", token: BEARER.bearer } },
  });
  const tag = `${label}-${Date.now()}`;
  const user = await c.users.create({ body: { identifiers: { email_address: `${tag}@example.com` } } });
  await settled(target, 1);
  await c.request("createGrants", { userId: user.data.user_id, body: { entitlement_type: "bundle", entitlement_id: "b-7" } });
  await settled(target, 2);
  const account = await c.account.create({ body: { name: tag, number_of_seats: 3 } });
  await c.accountUser.save({ account_id: account.account_id, user_id: user.data.user_id });
  await settled(target, 3);
  let n = 3;
  for (const fault of ["wrong_credentials", "no_credentials", "stale=600000"]) {
    await injectFault(fault);
    await c.users.create({ body: { identifiers: { email_address: `${tag}-${fault.replace("=", "")}@example.com` } } });
    await settled(target, ++n);
  }
  const delivered = await settled(target, n);
  // Injected faults apply to the next delivery to any webhook: leave none behind.
  await c.request("deleteWebhook", { id: webhook.webhook_id });
  return { email: `${tag}@example.com`, delivered };
}

function checkSeen(seen, email) {
  assert.equal(seen.length, 6, JSON.stringify(seen));
  assert.deepEqual(seen.slice(0, 3).map((s) => s.type), ["CREATE_USER", "GRANT", "ADD_USER_TO_ACCOUNT"]);
  assert.equal(seen[0].summary, email);
  assert.equal(seen[1].summary, "b-7");
  assert.deepEqual(seen.slice(3).map((s) => s.code), ["webhook_wrong_credentials", "webhook_missing_authorization", "webhook_stale_event"]);
}

test(`Node receiver (${expectedBackend}): the emulator's deliveries are verified and narrowed; bad ones refused with typed errors`, async () => {
  const seen = [];
  const { server, url } = await listen(async (req, res) => {
    try {
      const event = await constructEvent(req, { ...BEARER, toleranceMs: 60_000 });
      let summary;
      switch (event.type) {
        case "CREATE_USER":
          summary = event.details.identifiers?.email_address;
          break;
        case "GRANT":
          summary = event.details?.entitlement_id;
          break;
        default:
          summary = event.type;
      }
      seen.push({ type: event.type, summary });
      res.writeHead(204).end();
    } catch (error) {
      if (!(error instanceof ZephrWebhookError)) throw error;
      seen.push({ code: error.code });
      res.writeHead(error.status).end();
    }
  });
  try {
    const { email, delivered } = await drive(url, "node");
    assert.deepEqual(delivered.map((d) => d.state), ["delivered", "delivered", "delivered", "failed", "failed", "failed"]);
    checkSeen(seen, email);
  } finally {
    server.close();
  }
});

function distFiles() {
  const dist = join(pkg, "dist");
  assert.ok(existsSync(join(dist, "entry-workerd.js")), "run `npm run build` first");
  const files = [];
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const file = join(dir, name);
      if (statSync(file).isDirectory()) walk(file);
      else files.push(file);
    }
  };
  walk(dist);
  return files.filter((f) => !f.endsWith(".d.ts"));
}

// workerd runs the wasm build: this test belongs to the wasm run only.
if (expectedBackend === "wasm") test("workerd receiver (Miniflare): the emulator's deliveries are verified and narrowed inside a Worker", async () => {
  const { Miniflare } = await import("miniflare");
  const dist = join(pkg, "dist");
  const files = distFiles();
  const otherEntries = ["entry-node.js", "entry-browser.js"].map((f) => join(dist, f));
  const mf = new Miniflare({
    modules: [
      { type: "ESModule", path: join(pkg, "test", "webhooks", "worker.mjs") },
      ...files.filter((f) => f.endsWith(".js") && !otherEntries.includes(f)).map((path) => ({ type: "ESModule", path })),
      ...files.filter((f) => f.endsWith(".wasm")).map((path) => ({ type: "CompiledWasm", path })),
    ],
    modulesRoot: pkg,
    compatibilityDate: "2025-01-01",
    bindings: { TOKEN: BEARER.bearer },
    host: "127.0.0.1",
    port: 0,
  });
  try {
    const url = new URL("/zephr/webhooks", await mf.ready).href;
    const { email } = await drive(url, "workerd");
    const seen = await (await mf.dispatchFetch(new URL("/seen", url))).json();
    assert.ok(seen.slice(0, 3).every((s) => s.ok && s.method === "POST"));
    checkSeen(seen, email);
  } finally {
    await mf.dispose();
  }
});
