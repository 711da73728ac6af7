// esbuild, the way its users call it: for the browser (run in Chromium), for Node (the bundle
// moved away from node_modules and run there) and for Vercel's edge runtime (`edge-light`
// condition and a plugin for `.wasm?module`; run in `edge-runtime`, Vercel's runtime as an
// npm package, with compiling wasm from bytes forbidden).
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { before, test } from "node:test";
import { runInChromium } from "./browser.mjs";
import { assertScenario, bin, importTool, lastJson, loopback, project, sh } from "./harness.mjs";

let dir;
before(async () => {
  dir = await project("esbuild", { host: "esbuild", native: false });
});

const esbuild = (args) => sh(bin("esbuild"), ["--bundle", "--log-level=warning", ...args], { cwd: dir });

test("esbuild --platform=browser, in Chromium", async (t) => {
  await esbuild(["browser.js", "--format=esm", "--outdir=dist/browser"]);
  cpSync(join(dir, "index.html"), join(dir, "dist", "browser", "index.html"));
  // esbuild does not ship `new URL("./x.wasm", import.meta.url)` assets: the documented step.
  cpSync(join(dir, "node_modules", "zephr-admin", "dist", "wasm", "zephr_admin_wasm_bg.wasm"), join(dir, "dist", "browser", "wasm", "zephr_admin_wasm_bg.wasm"));
  const { server, config } = await loopback();
  t.after(() => server.close());
  assertScenario(await runInChromium(join(dir, "dist", "browser"), "index.html", server.url, config), server);
});

test("esbuild --platform=node, run away from node_modules", async (t) => {
  await esbuild(["node.mjs", "--platform=node", "--format=esm", "--outdir=dist/node", "--out-extension:.js=.mjs"]);
  const away = mkdtempSync(join(tmpdir(), "zephr-admin-esbuild-node-"));
  t.after(() => rmSync(away, { recursive: true, force: true }));
  cpSync(join(dir, "dist", "node"), away, { recursive: true });
  const { server, config } = await loopback();
  t.after(() => server.close());
  const stdout = await sh(process.execPath, ["node.mjs"], { cwd: away, env: { SCENARIO_CONFIG: JSON.stringify(config) } });
  assertScenario(lastJson(stdout), server);
});

test("esbuild --conditions=edge-light (with a plugin for `.wasm?module`), in edge-runtime", async (t) => {
  await sh(process.execPath, ["edge-build.mjs"], { cwd: dir });
  const { EdgeRuntime } = await importTool("edge-runtime");
  const runtime = new EdgeRuntime();
  // As Vercel does: the .wasm bound as a precompiled module; compiling from bytes forbidden.
  runtime.context.wasmBytes = readFileSync(join(dir, "node_modules", "zephr-admin", "dist", "wasm", "zephr_admin_wasm_bg.wasm"));
  runtime.evaluate(`
    globalThis.zephr_admin_wasm_bg = new WebAssembly.Module(wasmBytes);
    delete globalThis.wasmBytes;
    const forbidden = () => { throw new Error("compiling wasm from bytes is forbidden on the edge"); };
    const instantiate = WebAssembly.instantiate;
    WebAssembly.Module = new Proxy(WebAssembly.Module, { construct: forbidden });
    WebAssembly.compile = forbidden;
    WebAssembly.instantiate = (m, imports) => (m instanceof WebAssembly.Module ? instantiate(m, imports) : forbidden());
  `);
  runtime.evaluate(readFileSync(join(dir, "dist", "edge", "edge.js"), "utf8"));
  const { server, config } = await loopback();
  t.after(() => server.close());
  const response = await runtime.dispatchFetch("http://edge.local/", { method: "POST", body: JSON.stringify(config) });
  await response.waitUntil();
  const text = await response.text();
  assert.equal(response.status, 200, `the edge function answered ${response.status}:\n${text}`);
  assertScenario(JSON.parse(text), server);
});
