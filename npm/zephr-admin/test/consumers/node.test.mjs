// Node 20, 22 and 24, each with both backends (native: the platform tarball installed;
// wasm: installed without optional dependencies), from ESM and from require.
import { before, describe, test } from "node:test";
import { assertScenario, lastJson, loopback, nodeBinary, project, sh } from "./harness.mjs";

const projects = {};
before(async () => {
  projects.native = await project("node-native", { host: "node", native: true });
  projects.wasm = await project("node-wasm", { host: "node", native: false });
});

for (const major of [20, 22, 24]) {
  describe(`Node ${major}`, () => {
    for (const backend of ["native", "wasm"]) {
      for (const file of ["esm.mjs", "require.cjs"]) {
        test(`${backend} backend, ${file.endsWith(".cjs") ? "require" : "import"}`, async (t) => {
          const { server, config } = await loopback();
          t.after(() => server.close());
          const stdout = await sh(nodeBinary(major), [file], { cwd: projects[backend], env: { SCENARIO_CONFIG: JSON.stringify(config) } });
          assertScenario(lastJson(stdout), server, { backend });
        });
      }
    }
  });
}
