// Next.js: an edge route handler (`export const runtime = "edge"`), built with `next build`
// and served by `next start`.
import assert from "node:assert/strict";
import { createServer } from "node:net";
import { test } from "node:test";
import { assertScenario, bin, loopback, project, sh, start } from "./harness.mjs";

const freePort = () =>
  new Promise((resolve) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });

test("Next.js edge route handler: next build, next start", async (t) => {
  const dir = await project("next", { host: "next" });
  const env = { NEXT_TELEMETRY_DISABLED: "1" };
  await sh(bin("next"), ["build"], { cwd: dir, env, timeout: 480_000 });
  const port = await freePort();
  const next = start(bin("next"), ["start", "-p", String(port), "-H", "127.0.0.1"], { cwd: dir, env });
  t.after(() => next.stop());
  await next.waitFor(/Ready/);
  const { server, config } = await loopback();
  t.after(() => server.close());
  const response = await fetch(`http://127.0.0.1:${port}/api/scenario`, { method: "POST", body: JSON.stringify(config) });
  const text = await response.text();
  assert.equal(response.status, 200, `the route answered ${response.status}:\n${text}\n--- next start\n${next.output()}`);
  assertScenario(JSON.parse(text), server);
});
