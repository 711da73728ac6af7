// A Vite production build (`vite build`, no configuration) opened in headless Chromium.
import { test } from "node:test";
import { join } from "node:path";
import { runInChromium } from "./browser.mjs";
import { assertScenario, bin, loopback, project, sh } from "./harness.mjs";

test("Vite production build in Chromium", async (t) => {
  const dir = await project("vite", { host: "vite" });
  await sh(bin("vite"), ["build"], { cwd: dir });
  const { server, config } = await loopback();
  t.after(() => server.close());
  const result = await runInChromium(join(dir, "dist"), "index.html", server.url, config);
  assertScenario(result, server);
});
