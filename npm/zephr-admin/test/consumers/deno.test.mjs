// Deno 2 running the project with the package installed by npm, with network and
// environment access only (no --allow-read).
import { test } from "node:test";
import { assertScenario, bin, lastJson, loopback, project, sh } from "./harness.mjs";

test("Deno, import from node_modules", async (t) => {
  const dir = await project("deno", { host: "node", native: false });
  const { server, config } = await loopback();
  t.after(() => server.close());
  const stdout = await sh(bin("deno"), ["run", "--allow-net=127.0.0.1", "--allow-env=SCENARIO_CONFIG", "esm.mjs"], {
    cwd: dir,
    env: { SCENARIO_CONFIG: JSON.stringify(config), DENO_NO_UPDATE_CHECK: "1" },
  });
  assertScenario(lastJson(stdout), server);
});
