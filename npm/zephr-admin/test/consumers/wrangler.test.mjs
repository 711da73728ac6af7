// Cloudflare Workers: the Worker bundled by `wrangler deploy --dry-run --outdir` (no account
// needed), then the bundle as wrangler wrote it run in workerd through Miniflare.
import assert from "node:assert/strict";
import { test } from "node:test";
import { assertScenario, loopback, project } from "./harness.mjs";
import { miniflare, wranglerBuild } from "./workers.mjs";

test("wrangler bundle in workerd (Miniflare)", async (t) => {
  const dir = await project("wrangler", { host: "wrangler" });
  const dist = await wranglerBuild(dir);
  const { server, config } = await loopback();
  const mf = await miniflare(dist, { SCENARIO_CONFIG: JSON.stringify(config) });
  t.after(async () => {
    await mf.dispose();
    await server.close();
  });
  const response = await mf.dispatchFetch("http://worker.local/");
  const text = await response.text();
  assert.equal(response.status, 200, `the Worker answered ${response.status}:\n${text}`);
  assertScenario(JSON.parse(text), server);
});
