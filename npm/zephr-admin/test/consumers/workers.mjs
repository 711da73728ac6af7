// Cloudflare Workers for the consumers suite: a project bundled by
// `wrangler deploy --dry-run --outdir dist` (no account needed) and the output, as wrangler
// wrote it, run in workerd through Miniflare (the .wasm as a precompiled module).
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { bin, importTool, sh } from "./harness.mjs";

/** Bundles a Worker project with wrangler; returns the output folder. */
export async function wranglerBuild(dir) {
  await sh(bin("wrangler"), ["deploy", "--dry-run", "--outdir", "dist"], { cwd: dir, env: { WRANGLER_SEND_METRICS: "false", CI: "true" } });
  return join(dir, "dist");
}

/** Miniflare running a wrangler output folder, with the given bindings. */
export async function miniflare(dist, bindings) {
  const { Miniflare } = await importTool("miniflare");
  const main = readdirSync(dist).find((f) => f.endsWith(".js"));
  return new Miniflare({
    modules: true,
    scriptPath: join(dist, main),
    modulesRoot: dist,
    modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
    compatibilityDate: "2026-04-01",
    bindings,
  });
}
