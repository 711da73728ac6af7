// The runtime binaries the tests use, from devDependencies: each must answer `--version` with
// the version pinned there. Bun's npm package needs its install script; after
// `npm ci --ignore-scripts` run `node node_modules/bun/install.js` once: it moves the binary of
// the platform package (@oven/bun-<os>-<arch>) over the placeholder node_modules/bun/bin/bun.exe.
// Either one is taken: bun.exe when it runs, else the platform package's binary.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const pkg = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
const require = createRequire(join(pkg, "package.json"));

/** A runtime binary that answers `--version` with the version pinned in devDependencies. */
function runtimeBinary(name, candidates, hint) {
  const wanted = JSON.parse(readFileSync(join(pkg, "package.json"), "utf8")).devDependencies[name];
  const tried = [];
  for (const candidate of candidates) {
    let file;
    try {
      file = candidate();
    } catch (error) {
      tried.push(`  ${error.message.split("\n")[0]}`);
      continue;
    }
    if (!file || !existsSync(file)) {
      tried.push(`  ${file ?? "?"}: absent`);
      continue;
    }
    const probe = spawnSync(file, ["--version"], { encoding: "utf8", timeout: 10_000 });
    const out = `${probe.stdout ?? ""}`.trim();
    if (probe.status === 0 && out.includes(wanted)) return file;
    const said = (out || `${probe.stderr ?? ""}`.trim()).split("\n")[0];
    tried.push(`  ${file}: ${probe.error?.message ?? `--version gave ${JSON.stringify(said)}`}`);
  }
  throw new Error(`no working ${name} ${wanted} binary. ${hint}\nTried:\n${tried.join("\n")}`);
}

const platformArch = `${process.platform}-${process.arch === "arm64" ? "aarch64" : process.arch}`;

export function denoBinary() {
  return runtimeBinary("deno", [
    // Links the binary of the platform package (@deno/<target>) next to the npm package's bin.cjs.
    () => require("deno/install_api.cjs").runInstall(),
    () => join(pkg, "node_modules", "deno", process.platform === "win32" ? "deno.exe" : "deno"),
  ], "Install the devDependencies (`npm ci --ignore-scripts` in npm/zephr-admin).");
}

export function bunBinary() {
  const exe = process.platform === "win32" ? "bun.exe" : "bun";
  return runtimeBinary("bun", [
    // In place after `node node_modules/bun/install.js` (a placeholder script before).
    () => join(pkg, "node_modules", "bun", "bin", "bun.exe"),
    // The platform packages (optional dependencies of `bun`) hold the real binary.
    ...["", "-baseline", "-musl", "-musl-baseline"].map((variant) => () => {
      const name = `@oven/bun-${platformArch}${variant}/package.json`;
      let from = require;
      try {
        from = createRequire(require.resolve("bun/package.json"));
      } catch {}
      return join(dirname(from.resolve(name)), "bin", exe);
    }),
  ], "Install the devDependencies (`npm ci --ignore-scripts` in npm/zephr-admin), then run `node node_modules/bun/install.js`.");
}
