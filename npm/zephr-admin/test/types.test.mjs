// The public TypeScript types: typed params and results per operation, and the
// mistakes they must catch (see the @ts-expect-error lines in types/usage.ts).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

test("the declarations type-check a client program and reject wrong params", () => {
  const pkg = fileURLToPath(new URL("..", import.meta.url));
  const tsc = spawnSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "test/types"], { cwd: pkg, encoding: "utf8" });
  assert.equal(tsc.status, 0, tsc.stdout + tsc.stderr);
});
