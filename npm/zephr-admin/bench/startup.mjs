// First use in a fresh Node process: import the entry, then one signRequest. The wasm entry
// (module inlined as base64) beside the same module read from its file, the auto entry
// (native addon) and an empty process as the baseline. Runs interleaved; medians.
// Usage: node bench/startup.mjs (after npm run build)
import { spawnSync } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const dist = fileURLToPath(new URL("../dist/", import.meta.url));
const RUNS = 31;

// The file form, for comparison only: what the entry did before the module was inlined.
writeFileSync(`${dist}bench-file-entry.js`, `
import { readFileSync } from "node:fs";
import * as wasm from "./wasm/zephr_admin_wasm.js";
import { bindBackend } from "./api.js";
export const { signRequest } = bindBackend("wasm", () => {
  wasm.initSync({ module: new WebAssembly.Module(readFileSync(new URL("./wasm/zephr_admin_wasm_bg.wasm", import.meta.url))) });
  return wasm;
});
`);

const probe = (entry) => entry ? `
const t0 = performance.now();
const { signRequest } = await import(${JSON.stringify(dist + entry)});
const t1 = performance.now();
signRequest({ accessKey: "a", secretKey: "s", method: "GET", path: "/v3/x", timestamp: 1, nonce: "n" });
const t2 = performance.now();
console.log(JSON.stringify({ import: t1 - t0, first: t2 - t1, wall: 0 }));` : "console.log(JSON.stringify({ import: 0, first: 0, wall: 0 }));";

const cases = { "wasm, inlined (entry-node.js)": "entry-node.js", "wasm, read from its file": "bench-file-entry.js", "native (entry-auto.js)": "entry-auto.js", "empty process": "" };
const results = Object.fromEntries(Object.keys(cases).map((name) => [name, []]));
try {
  for (let i = 0; i < RUNS; i++) {
    for (const [name, entry] of Object.entries(cases)) {
      const start = performance.now();
      const out = spawnSync(process.execPath, ["--input-type=module", "-e", probe(entry)], { encoding: "utf8" });
      const sample = JSON.parse(out.stdout);
      sample.wall = performance.now() - start;
      results[name].push(sample);
    }
  }
} finally {
  rmSync(`${dist}bench-file-entry.js`);
}
const median = (samples, key) => samples.map((s) => s[key]).sort((a, b) => a - b)[samples.length >> 1].toFixed(1);
console.log(`Node ${process.version}, ${RUNS} runs each, medians (ms)`);
console.log("| case | import | first signRequest | process wall time |\n|---|---|---|---|");
for (const [name, samples] of Object.entries(results)) {
  console.log(`| ${name} | ${median(samples, "import")} | ${median(samples, "first")} | ${median(samples, "wall")} |`);
}
