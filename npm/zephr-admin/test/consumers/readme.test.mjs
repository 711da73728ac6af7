// The README runs verbatim: every ```js and ```ts snippet of README.md, and of the package's
// own README (the one npm shows), is extracted into a project with the packed package
// installed and type-checked (strict, checkJs); the Node quick start then runs as written
// against the loopback server, and the Cloudflare Worker quick start is bundled by wrangler
// and run in workerd against the emulator.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { before, test } from "node:test";
import { pathToFileURL } from "node:url";
import { ACCESS_KEY as LOOPBACK_ACCESS_KEY, SECRET_KEY as LOOPBACK_SECRET_KEY, startServer } from "../support/server.mjs";
import { bin, project, repoRoot, sh } from "./harness.mjs";
import { miniflare, wranglerBuild } from "./workers.mjs";

/** The README's JavaScript and TypeScript snippets, each named by the heading above it. */
export function snippets(markdown) {
  const found = [];
  let heading = "";
  const fence = /^(#+ .*)$|^```(js|javascript|ts|typescript)\n([\s\S]*?)^```$/gm;
  for (const m of markdown.matchAll(fence)) {
    if (m[1]) heading = m[1].replace(/^#+ /, "");
    else found.push({ heading, lang: m[2].startsWith("t") ? "ts" : "js", code: m[3] });
  }
  return found;
}

const readme = snippets(readFileSync(join(repoRoot, "README.md"), "utf8"));
// The README that npm shows on the package's page: its snippets are type-checked too.
const npmReadme = snippets(readFileSync(join(repoRoot, "npm", "zephr-admin", "README.md"), "utf8"));
const byHeading = (heading) => {
  const found = readme.filter((s) => s.heading === heading);
  assert.equal(found.length, 1, `one snippet under "${heading}" in README.md, found ${found.length}`);
  return found[0].code;
};

let dir;
before(async () => {
  dir = await project("readme", { host: "readme" });
  mkdirSync(join(dir, "snippets"));
  for (const [prefix, list] of [["", readme], ["npm-", npmReadme]]) {
    list.forEach(({ heading, lang, code }, i) => {
      const slug = heading.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
      writeFileSync(join(dir, "snippets", `${prefix}${String(i + 1).padStart(2, "0")}-${slug}.${lang === "ts" ? "mts" : "mjs"}`), code);
    });
  }
});

test("the READMEs have JavaScript snippets to check", () => {
  assert.ok(readme.length >= 4, `README.md: found ${readme.length}`);
  assert.ok(npmReadme.length >= 1, `npm/zephr-admin/README.md: found ${npmReadme.length}`);
});

test("every README snippet type-checks against the installed package (strict)", async () => {
  await sh(bin("tsc"), ["-p", "tsconfig.json"], { cwd: dir });
});

test("the Node quick start runs as written", async (t) => {
  const server = await startServer();
  t.after(() => server.close());
  writeFileSync(join(dir, "node-quick-start.mjs"), byHeading("Node quick start"));
  const stdout = await sh(process.execPath, ["node-quick-start.mjs"], {
    cwd: dir,
    env: { ZEPHR_BASE_URL: server.url, ZEPHR_ACCESS_KEY: LOOPBACK_ACCESS_KEY, ZEPHR_SECRET_KEY: LOOPBACK_SECRET_KEY },
  });
  for (let i = 1; i <= 7; i++) assert.match(stdout, new RegExp(`^acc-${i}$`, "m"));
  assert.match(stdout, /^404 req-\d+ /m, "the NotFoundError branch printed status and request id");
  assert.ok(server.seen.length >= 3);
  for (const r of server.seen) assert.equal(r.failure, null, `${r.method} ${r.url}: ${r.failure}`);
});

/** The project's emulator (`zephr emulator`), built by the workspace tests. */
async function emulator(t) {
  const zephr = join(repoRoot, "target", "debug", "zephr");
  if (!existsSync(zephr)) await sh("cargo", ["build", "-q", "-p", "zephr-cli"], { cwd: repoRoot });
  const child = spawn(zephr, ["emulator", "--port", "0", "--quiet"], { stdio: ["ignore", "pipe", "inherit"] });
  t.after(() => child.kill());
  let out = "";
  const url = await new Promise((resolve, reject) => {
    child.stdout.setEncoding("utf8").on("data", (chunk) => {
      out += chunk;
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.on("exit", (code) => reject(new Error(`the emulator exited (${code}): ${out}`)));
  });
  const key = (name) => new RegExp(`${name}=(\\S+)`).exec(out)?.[1];
  return { url, accessKey: key("ZEPHR_ACCESS_KEY") ?? "a3f1c2d4-5b6e-4f70-8a9b-0c1d2e3f4a5b", secretKey: key("ZEPHR_SECRET_KEY") ?? "9b8c7d6e-5f4a-4b3c-8d2e-1f0a9b8c7d6e" };
}

test("the Cloudflare Worker quick start runs as written (wrangler, workerd, the emulator)", async (t) => {
  writeFileSync(join(dir, "worker.js"), byHeading("Cloudflare Worker quick start"));
  const dist = await wranglerBuild(dir);
  const emu = await emulator(t);
  // A user with one grant, made through the package on Node.
  const { ZephrClient } = await import(pathToFileURL(createRequire(join(dir, "package.json")).resolve("zephr-admin")).href);
  const client = new ZephrClient({ baseUrl: emu.url, accessKey: emu.accessKey, secretKey: emu.secretKey });
  const userId = (await client.users.create({ body: { identifiers: { email_address: "ada@example.com" } } })).data.user_id;
  const mf = await miniflare(dist, { ZEPHR_BASE_URL: emu.url, ZEPHR_ACCESS_KEY: emu.accessKey, ZEPHR_SECRET_KEY: emu.secretKey });
  t.after(() => mf.dispose());
  const response = await mf.dispatchFetch(`http://worker.local/?user=${userId}`);
  const text = await response.text();
  assert.equal(response.status, 200, `the Worker answered ${response.status}:\n${text}`);
  assert.ok(Array.isArray(JSON.parse(text).results), text);
});
