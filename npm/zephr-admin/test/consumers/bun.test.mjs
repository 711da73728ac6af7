// Bun: the project run as it is, and the output of `bun build` run by Bun.
import { join } from "node:path";
import { test } from "node:test";
import { assertScenario, lastJson, loopback, project, sh, tools } from "./harness.mjs";

/** The binary of bun's platform package (bun's own bin is a placeholder until its install script runs). */
const bun = join(tools, "node_modules", "@oven", "bun-linux-x64", "bin", "bun");

test("bun build output, run by Bun", async (t) => {
  const dir = await project("bun", { host: "bun", native: false });
  await sh(bun, ["build", "app.mjs", "--target=bun", "--outdir=dist"], { cwd: dir });
  const { server, config } = await loopback();
  t.after(() => server.close());
  const stdout = await sh(bun, [join("dist", "app.js")], { cwd: dir, env: { SCENARIO_CONFIG: JSON.stringify(config) } });
  assertScenario(lastJson(stdout), server);
});
