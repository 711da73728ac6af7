// The built package in the real runtimes it claims: workerd (through Miniflare), Deno and Bun.
// Each runtime signs the shared vectors and talks to the loopback server, which checks every
// signature with node:crypto. Builds nothing: run `npm run build` first.
//
// The runtimes come from devDependencies (see support/binaries.mjs for Bun's install step).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { bunBinary, denoBinary } from "./support/binaries.mjs";
import { ACCESS_KEY, SECRET_KEY, expectedHash, startServer } from "./support/server.mjs";

const pkg = dirname(dirname(fileURLToPath(import.meta.url)));
const dist = join(pkg, "dist");
const vectorsPath = join(pkg, "..", "..", "tests", "vectors", "signing.json");
const checkScript = join(pkg, "test", "runtimes", "check.mjs");
const workerScript = join(pkg, "test", "runtimes", "worker.mjs");
const CHILD_TIMEOUT_MS = 20_000;
const TEST_TIMEOUT = { timeout: 25_000 };

const { vectors } = JSON.parse(readFileSync(vectorsPath, "utf8"));
// Random signing inputs for the Worker (text bodies: bindings carry JSON), checked with node:crypto.
const WORKER_RANDOM = Array.from({ length: 60 }, (_, i) => {
  const chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~%!$&'()*+,;=:@/";
  const pick = (n) => Array.from(randomBytes(n), (b) => chars[b % chars.length]).join("");
  return {
    accessKey: `ak-${i}`,
    secretKey: pick(1 + (i % 30)),
    method: ["GET", "POST", "PUT", "PATCH", "DELETE"][i % 5],
    path: `/${pick(i % 40)}`,
    query: pick(i % 25),
    body: i % 2 ? `Zoë 東京 ${pick(i)}` : "",
    timestamp: 1_700_000_000_000 + i * 104_729,
    nonce: `n${pick(1 + (i % 20)).replace(/:/g, "")}`,
  };
});

const EXPECTED_ACCOUNTS = Array.from({ length: 7 }, (_, i) => `acc-${i + 1}`);
const EXPECTED_URLS = ["/v3/accounts?rpp=3", "/v3/accounts?rpp=3&page=2", "/v3/accounts?rpp=3&page=3", "/v3/users/a%2Fb/sessions"];

/** The package's built files; a clear failure when `dist/` is missing or incomplete. */
function distFiles() {
  const needed = ["entry-node.js", "entry-workerd.js", "api.js", "wasm/inline.js", "wasm/zephr_admin_wasm.js", "wasm/zephr_admin_wasm_bg.wasm"];
  const missing = needed.filter((file) => !existsSync(join(dist, file)));
  if (missing.length) {
    throw new Error(`the package is not built (dist/ lacks ${missing.join(", ")}): run \`npm run build\` in npm/zephr-admin first`);
  }
  const files = [];
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const file = join(dir, name);
      if (statSync(file).isDirectory()) walk(file);
      else files.push(file);
    }
  };
  walk(dist);
  return files;
}

/** Starts the loopback server, runs `body` with it and always closes it. */
async function withServer(body) {
  const server = await startServer();
  try {
    return await body(server);
  } finally {
    await server.close();
  }
}

/** What the server saw, as `METHOD url`, with every signature checked. */
function assertSeen(server, expected) {
  assert.deepEqual(server.seen.map((r) => `${r.method} ${r.url}`), expected);
  for (const r of server.seen) assert.equal(r.failure, null, `${r.method} ${r.url}: ${r.failure}`);
}

/** Runs a runtime binary asynchronously (the loopback server lives in this process). */
function run(command, args, { env = {}, label }) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: pkg, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d) => { stdout += d; });
    child.stderr.setEncoding("utf8").on("data", (d) => { stderr += d; });
    const timer = setTimeout(() => child.kill("SIGKILL"), CHILD_TIMEOUT_MS);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(new Error(`${label}: could not start ${command}: ${error.message}`));
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) return resolve(stdout);
      const why = signal ? `was killed (${signal}${signal === "SIGKILL" ? `, over ${CHILD_TIMEOUT_MS} ms` : ""})` : `exited with ${code}`;
      reject(new Error(`${label} ${why}\n--- stderr ---\n${stderr}\n--- stdout ---\n${stdout}`));
    });
  });
}

/** Runs check.mjs in a runtime and checks everything it printed and the server saw. */
async function checkRuntime(t, name, command, argsFor) {
  t.diagnostic(`binary: ${relative(pkg, command).split(sep).join("/")}`);
  await withServer(async (server) => {
    const stdout = await run(command, argsFor(server), { label: name, env: { DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" } });
    let report;
    try {
      report = JSON.parse(stdout.trim().split("\n").at(-1));
    } catch {
      assert.fail(`${name} printed no JSON report:\n${stdout}`);
    }
    assert.match(report.runtime, new RegExp(`^${name.toLowerCase()} `), `ran in ${report.runtime}`);
    t.diagnostic(`${report.runtime}, backend ${report.backend}`);
    assert.equal(report.backend, "wasm");

    // Every shared vector, byte for byte.
    assert.deepEqual(report.vectors.map((v) => v.id), vectors.map((v) => v.id));
    for (const v of report.vectors) assert.equal(v.got, v.expected, v.id);

    // The random requests, recomputed here with node:crypto.
    assert.equal(report.requests.length, 50);
    for (const r of report.requests) {
      const body = r.bodyHex !== undefined ? Buffer.from(r.bodyHex, "hex") : r.body;
      const hash = expectedHash(r.secretKey, body, r.path, r.query, r.method, r.timestamp, r.nonce);
      assert.equal(r.authorization, `ZEPHR-HMAC-SHA256 ${r.accessKey}:${r.timestamp}:${r.nonce}:${hash}`, JSON.stringify(r));
    }

    // The round trip through the runtime's fetch.
    const { accounts, sessions, created } = report.roundTrip;
    assert.deepEqual(accounts.map((a) => a.account_id), EXPECTED_ACCOUNTS);
    assert.equal(sessions.user_id, "a/b");
    assert.equal(created.data.attributes.city, "東京");
    assertSeen(server, [...EXPECTED_URLS.map((u) => `GET ${u}`), "POST /v3/users"]);
    assert.equal(server.seen.at(-1).body, '{"identifiers":{"email_address":"zoe@example.com"},"attributes":{"city":"東京"}}');
  });
}

test("workerd (Miniflare): entry-workerd signs, paginates and calls through the Worker's fetch", TEST_TIMEOUT, async (t) => {
  const files = distFiles();
  let Miniflare;
  try {
    ({ Miniflare } = await import("miniflare"));
  } catch (error) {
    throw new Error(`miniflare is not installed (npm ci --ignore-scripts in npm/zephr-admin): ${error.message}`);
  }
  // What a bundler targeting workerd would ship: everything but the other runtimes' entries
  // and their loaders (the edge entry's `?module` import and the inlined module included).
  const otherEntries = ["entry-node.js", "entry-browser.js", "entry-edge.js", "entry-auto.js", "entry-native.js", "native.js", "wasm.js", "wasm/inline.js"]
    .map((f) => join(dist, f));
  const modules = [
    { type: "ESModule", path: workerScript },
    ...files.filter((f) => f.endsWith(".js") && !otherEntries.includes(f)).map((path) => ({ type: "ESModule", path })),
    ...files.filter((f) => f.endsWith(".wasm")).map((path) => ({ type: "CompiledWasm", path })),
  ];
  t.diagnostic(`modules: ${modules.map((m) => relative(pkg, m.path).split(sep).join("/")).join(", ")}`);
  await withServer(async (server) => {
    let runtimeLog = "";
    const mf = new Miniflare({
      modules,
      modulesRoot: pkg,
      compatibilityDate: "2025-01-01",
      bindings: { VECTORS: vectors, RANDOM: WORKER_RANDOM, SERVER_URL: server.url, ACCESS_KEY, SECRET_KEY },
      handleRuntimeStdio(stdout, stderr) {
        for (const stream of [stdout, stderr]) stream.setEncoding("utf8").on("data", (d) => { runtimeLog += d; });
      },
    });
    const log = () => `\n--- workerd output ---\n${runtimeLog}`;
    let passed = false;
    try {
      try {
        await mf.ready;
      } catch (error) {
        throw new Error(`workerd did not start the Worker: ${error.message}${log()}`);
      }
      const response = await mf.dispatchFetch("http://worker.test/");
      const text = await response.text();
      assert.equal(response.status, 200, `the Worker failed: ${text}${log()}`);
      const answer = JSON.parse(text);
      assert.equal(answer.backend, "wasm");
      assert.deepEqual(answer.vectors, vectors.map((v) => ({ id: v.id, authorization: v.authorization })));
      assert.equal(answer.random.length, WORKER_RANDOM.length);
      WORKER_RANDOM.forEach((r, i) => {
        const hash = expectedHash(r.secretKey, r.body, r.path, r.query, r.method, String(r.timestamp), r.nonce);
        assert.equal(answer.random[i], `ZEPHR-HMAC-SHA256 ${r.accessKey}:${r.timestamp}:${r.nonce}:${hash}`, `random input ${i}`);
      });
      assert.deepEqual(answer.accounts.map((a) => a.account_id), EXPECTED_ACCOUNTS);
      assert.deepEqual(answer.sessions, { user_id: "a/b", sessions: [{ session_id: "s-1", authenticated: true }] });
      assertSeen(server, EXPECTED_URLS.map((u) => `GET ${u}`));
      passed = true;
    } finally {
      // Stops workerd; after a failed start it rethrows that failure, already reported above.
      await mf.dispose().catch((error) => { if (passed) throw error; });
    }
  });
});

test("Deno: entry-node (the inlined module: no read access to the package) signs the vectors and random requests, and calls the server", TEST_TIMEOUT, async (t) => {
  distFiles();
  const deno = denoBinary();
  await checkRuntime(t, "Deno", deno, (server) => [
    "run", "--no-prompt", "--no-lock", "--no-config",
    `--allow-read=${vectorsPath}`,
    `--allow-net=${new URL(server.url).host}`,
    checkScript, server.url, ACCESS_KEY, SECRET_KEY, vectorsPath,
  ]);
});

test("Bun: entry-node signs the vectors and random requests, and calls the server", TEST_TIMEOUT, async (t) => {
  distFiles();
  const bun = bunBinary();
  await checkRuntime(t, "Bun", bun, (server) => ["run", checkScript, server.url, ACCESS_KEY, SECRET_KEY, vectorsPath]);
});
