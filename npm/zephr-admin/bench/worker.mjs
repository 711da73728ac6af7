// Sizes and cold start of the package where users ship it, measured on real builds of the
// consumers suite's scratch projects (tools from scripts/consumers.sh):
// - the Worker bundle wrangler writes (`deploy --dry-run`): every file, gzipped;
// - Worker cold start in Miniflare beside an empty Worker, same run: `new Miniflare()` to
//   the first response, and one dispatch to its response (first request of a fresh Worker);
// - the JS and wasm of a Vite production build, gzipped.
// Usage: node bench/worker.mjs [runs]   (after npm run build). Prints Markdown.
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { gzipSync } from "node:zlib";
import { bin, importTool, project, sh } from "../test/consumers/harness.mjs";
import { wranglerBuild } from "../test/consumers/workers.mjs";

const runs = Number(process.argv[2] ?? 15);
const v2 = JSON.parse(readFileSync(new URL("../../../tests/vectors/signing.json", import.meta.url), "utf8")).vectors.find((v) => v.id.startsWith("V2_"));

const WORKERS = {
  empty: `export default { fetch() { return new Response("ok"); } };`,
  // Imports the package and signs once per request: the backend is loaded before the answer.
  sdk: `import { signRequest } from "zephr-admin";
const input = ${JSON.stringify({ accessKey: v2.accessKey, secretKey: v2.secretKey, method: v2.method, path: v2.path, query: v2.query, timestamp: Number(v2.timestamp), nonce: v2.nonce })};
export default { fetch() { return new Response(signRequest(input)); } };`,
};

/** All files of a folder (recursively) with their raw and gzipped sizes. */
function sizes(dir, filter = () => true) {
  const out = [];
  const walk = (d) => {
    for (const name of readdirSync(d)) {
      const file = join(d, name);
      if (statSync(file).isDirectory()) walk(file);
      else if (filter(name)) {
        const bytes = readFileSync(file);
        out.push({ name, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length });
      }
    }
  };
  walk(dir);
  return out;
}
const kb = (n) => (n / 1024).toFixed(1);
const sum = (list, key) => list.reduce((a, f) => a + f[key], 0);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const dists = {};
for (const [name, source] of Object.entries(WORKERS)) {
  const dir = await project(`bench-worker-${name}`, { native: false });
  writeFileSync(join(dir, "worker.js"), source);
  writeFileSync(join(dir, "wrangler.toml"), `name = "bench-${name}"\nmain = "worker.js"\ncompatibility_date = "2026-04-01"\n`);
  dists[name] = await wranglerBuild(dir);
}

const { Miniflare } = await importTool("miniflare");
const times = { empty: { start: [], dispatch: [] }, sdk: { start: [], dispatch: [] } };
for (let i = 0; i < runs; i++) {
  for (const name of i % 2 ? ["sdk", "empty"] : ["empty", "sdk"]) {
    const dist = dists[name];
    const t0 = performance.now();
    const mf = new Miniflare({
      modules: true,
      scriptPath: join(dist, "worker.js"),
      modulesRoot: dist,
      modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
      compatibilityDate: "2026-04-01",
    });
    await mf.ready;
    const t1 = performance.now();
    const response = await mf.dispatchFetch("http://worker.local/");
    const text = await response.text();
    const t2 = performance.now();
    if (name === "sdk" && text !== v2.authorization) throw new Error(`the Worker signed wrongly: ${text}`);
    times[name].start.push(t2 - t0);
    times[name].dispatch.push(t2 - t1);
    await mf.dispose();
  }
}

const vite = await project("bench-vite", { host: "vite" });
await sh(bin("vite"), ["build"], { cwd: vite });
const page = sizes(join(vite, "dist"), (n) => /\.(js|wasm)$/.test(n));

// What wrangler uploads: the script and its modules (not the README or the source map it writes beside them).
const shipped = (n) => /\.(js|mjs|wasm)$/.test(n);
const worker = sizes(dists.sdk, shipped);
console.log(`Measured ${new Date().toISOString().slice(0, 10)}, ${os.cpus().length}-core ${os.cpus()[0].model.trim()}, Node ${process.version}; gzip level 9; medians of ${runs} runs.\n`);
console.log("| measure | value |\n|---|---|");
console.log(`| wrangler Worker bundle, script + wasm module | ${kb(sum(worker, "raw"))} KB, **${kb(sum(worker, "gzip"))} KB gzipped** |`);
for (const f of worker) console.log(`| &nbsp; ${f.name.replace(/^[0-9a-f]{40}-/, "")} | ${kb(f.raw)} KB, ${kb(f.gzip)} KB gzipped |`);
console.log(`| empty Worker bundle | ${kb(sum(sizes(dists.empty, shipped), "gzip"))} KB gzipped |`);
const ms = (x) => `${x.toFixed(0)} ms`;
console.log(`| cold start, \`new Miniflare()\` to first response: SDK Worker / empty Worker | ${ms(median(times.sdk.start))} / ${ms(median(times.empty.start))} |`);
console.log(`| first dispatch to response (fresh Worker): SDK Worker / empty Worker | ${ms(median(times.sdk.dispatch))} / ${ms(median(times.empty.dispatch))} |`);
const js = page.filter((f) => f.name.endsWith(".js"));
const wasm = page.filter((f) => f.name.endsWith(".wasm"));
console.log(`| Vite page: JS (${js.length} file${js.length === 1 ? "" : "s"}) | ${kb(sum(js, "raw"))} KB, **${kb(sum(js, "gzip"))} KB gzipped** |`);
console.log(`| Vite page: wasm | ${kb(sum(wasm, "raw"))} KB, **${kb(sum(wasm, "gzip"))} KB gzipped** |`);
