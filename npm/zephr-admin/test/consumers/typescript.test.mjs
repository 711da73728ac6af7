// TypeScript consumers of the installed package: node16, nodenext and bundler resolution,
// `strict`, `skipLibCheck: false`. The node16 and nodenext builds are then run by Node.
import { join } from "node:path";
import { before, test } from "node:test";
import { assertScenario, bin, lastJson, loopback, project, sh } from "./harness.mjs";

let dir;
before(async () => {
  dir = await project("typescript", { host: "typescript" });
});

for (const resolution of ["node16", "nodenext", "bundler"]) {
  test(`tsc, ${resolution} resolution`, async (t) => {
    await sh(bin("tsc"), ["-p", `tsconfig.${resolution}.json`], { cwd: dir });
    if (resolution === "bundler") return; // type-checked only (noEmit)
    const { server, config } = await loopback();
    t.after(() => server.close());
    const stdout = await sh(process.execPath, [join(`out-${resolution}`, "consumer.js")], { cwd: dir, env: { SCENARIO_CONFIG: JSON.stringify(config) } });
    assertScenario(lastJson(stdout), server, { backend: "native" });
  });
}
