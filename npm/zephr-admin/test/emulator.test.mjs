// The JS client against the project's own emulator (`zephr emulator`): CRUD round trips on
// the stateful resources, paging, an injected fault retried, a rejected signature.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import * as zephr from "../dist/entry-node.js";

const zephrBin = fileURLToPath(new URL("../../../target/debug/zephr", import.meta.url));
const ACCESS_KEY = "a3f1c2d4-5b6e-4f70-8a9b-0c1d2e3f4a5b";
const SECRET_KEY = "9b8c7d6e-5f4a-4b3c-8d2e-1f0a9b8c7d6e";
let emulator;
let baseUrl;

/** Starts `zephr emulator` on a free port: the process and its base URL. */
async function startEmulator() {
  const child = spawn(zephrBin, ["emulator", "--port", "0", "--quiet"], { stdio: ["ignore", "pipe", "inherit"] });
  let timer;
  const url = await new Promise((resolve, reject) => {
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (chunk) => {
      out += chunk;
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (match) resolve(match[1]);
    });
    child.on("exit", (code) => reject(new Error(`the emulator exited (${code}): ${out}`)));
    timer = setTimeout(() => reject(new Error(`the emulator did not start: ${out}`)), 10_000);
  }).finally(() => clearTimeout(timer));
  return { child, url };
}

before(async () => {
  assert.ok(existsSync(zephrBin), "build the zephr binary first: cargo build -p zephr-cli");
  ({ child: emulator, url: baseUrl } = await startEmulator());
});
after(() => emulator?.kill());

const client = (options = {}) => new zephr.ZephrClient({ baseUrl, accessKey: ACCESS_KEY, secretKey: SECRET_KEY, ...options });

test("users: create, get, update attributes, find by email, delete", async () => {
  const c = client();
  const created = await c.users.create({ body: { identifiers: { email_address: "ada@example.com" }, attributes: { first_name: "Ada" } } });
  const userId = created.data.user_id;
  assert.match(userId, /^[0-9a-f-]{36}$/);
  assert.equal((await c.users.get({ user_id: userId })).attributes.first_name, "Ada");
  await c.users.updateAttribute({ user_id: userId, body: { surname: "Lovelace" } });
  const found = await c.users.list({ "identifiers.email_address": "ada@example.com" });
  assert.equal(found.results[0].attributes.surname, "Lovelace");
  await c.users.delete({ user_id: userId });
  await assert.rejects(c.users.get({ user_id: userId }), (e) => e instanceof zephr.NotFoundError && e.requestId?.startsWith("emu-"));
});

test("accounts: create, page through with for await, members, delete", async () => {
  const c = client();
  const names = ["Acme", "Globex", "Initech", "Umbrella", "Hooli"];
  const ids = [];
  for (const name of names) ids.push((await c.account.create({ body: { name, number_of_seats: 2 } })).account_id);
  const seen = [];
  for await (const account of c.paginate("listAccounts", { rpp: 2 })) seen.push(account.name);
  for (const name of names) assert.ok(seen.includes(name), `${name} in ${seen}`);
  const user = await c.users.create({ body: { identifiers: { email_address: "m@acme.test" } } });
  await c.accountUser.save({ account_id: ids[0], user_id: user.data.user_id });
  const members = await c.accountUser.list({ account_id: ids[0] });
  assert.deepEqual(members.results.map((m) => m.user_id), [user.data.user_id]);
  await c.account.delete({ id: ids[4] });
  await assert.rejects(c.account.get({ id: ids[4] }), zephr.NotFoundError);
});

test("an injected 503 is retried; a wrong secret is rejected with the failed check", async () => {
  let injected = 0;
  const faulty = client({
    fetch: (url, init) => {
      const headers = new Headers(init.headers);
      if (injected++ === 0) headers.set("x-zephr-emulator-fault", "503, retry-after=0");
      return fetch(url, { ...init, headers });
    },
  });
  const accounts = await faulty.account.list({ rpp: 1 });
  assert.equal(injected, 2, "one retry");
  assert.equal(accounts.results.length, 1);
  const wrong = new zephr.ZephrClient({ baseUrl, accessKey: ACCESS_KEY, secretKey: "wrong", maxRetries: 0 });
  await assert.rejects(wrong.account.list({}), (e) =>
    e instanceof zephr.AuthenticationError && JSON.parse(e.body).check === "signature" && /clock/.test(e.hint));
});

// The emulator scenario of the Rust clients (`emulator_scenario` in
// crates/zephr-client/tests/common/mod.rs), step for step, on a fresh emulator.
test("the Rust clients' emulator scenario: a user, seven accounts paged by 3 through an injected 503, a wrong secret", async () => {
  const own = await startEmulator();
  try {
    let served = 0;
    let faults = 0;
    const counting = (url, init) => {
      served++;
      const headers = new Headers(init.headers);
      if (faults > 0) {
        faults--;
        headers.set("x-zephr-emulator-fault", "503, retry-after=0");
      }
      return fetch(url, { ...init, headers });
    };
    const api = new zephr.ZephrClient({ baseUrl: own.url, accessKey: ACCESS_KEY, secretKey: SECRET_KEY, maxRetries: 2, fetch: counting });
    const created = await api.users.create({ body: { identifiers: { email_address: "engine@example.com" } } });
    const userId = created.data.user_id;
    assert.equal((await api.users.get({ user_id: userId })).identifiers.email_address, "engine@example.com");
    for (let i = 0; i < 7; i++) await api.account.create({ body: { name: `Account ${i}` } });
    faults = 1;
    const before = served;
    const accounts = [];
    for await (const account of api.paginate("listAccounts", { rpp: 3 })) accounts.push(account);
    assert.equal(accounts.length, 7);
    assert.equal(accounts[6].name, "Account 6");
    assert.equal(served - before, 4, "three pages and one retry");

    await api.users.delete({ user_id: userId });
    await assert.rejects(api.users.get({ user_id: userId }), (e) => e.code === "not_found");

    const wrong = new zephr.ZephrClient({ baseUrl: own.url, accessKey: ACCESS_KEY, secretKey: "wrong-secret", maxRetries: 0 });
    await assert.rejects(wrong.users.get({ user_id: userId }), (e) =>
      e.code === "authentication_failed" && !e.message.includes("wrong-secret") && !JSON.stringify(e).includes("wrong-secret"));
  } finally {
    own.child.kill();
  }
});
