// Bun: the project run as it is (Bun loads the native addon), and the output of
// `bun build` run by Bun (the wasm backend, carried inside the bundle).
import { join } from "node:path";
import { test } from "node:test";
import { assertScenario, lastJson, loopback, project, sh, tools } from "./harness.mjs";

/** The binary of bun's platform package (bun's own bin is a placeholder until its install script runs). */
const bun = join(tools, "node_modules", "@oven", "bun-linux-x64", "bin", "bun");

test("Bun runs the project, native backend", async (t) => {
  const dir = await project("bun-native", { host: "bun", native: true });
  const { server, config } = await loopback();
  t.after(() => server.close());
  const stdout = await sh(bun, ["app.mjs"], { cwd: dir, env: { SCENARIO_CONFIG: JSON.stringify(config) } });
  assertScenario(lastJson(stdout), server, { backend: "native" });
});

test("bun build output, run by Bun", async (t) => {
  const dir = await project("bun", { host: "bun", native: false });
  await sh(bun, ["build", "app.mjs", "--target=bun", "--outdir=dist"], { cwd: dir });
  const { server, config } = await loopback();
  t.after(() => server.close());
  const stdout = await sh(bun, [join("dist", "app.js")], { cwd: dir, env: { SCENARIO_CONFIG: JSON.stringify(config) } });
  assertScenario(lastJson(stdout), server);
});
