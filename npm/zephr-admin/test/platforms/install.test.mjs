// Release packaging: `scripts/pack.mjs --all` gives the main tarball and one tarball per
// platform, and they agree (names, versions, optionalDependencies, os/cpu/libc, the addon
// inside). Then, for each platform, npm installs the main tarball as on that platform
// (`--os`/`--cpu`/`--libc`), the platform tarballs standing in for the registry, and
// exactly that one platform package lands in node_modules. Offline: no registry traffic.
// Run by scripts/platforms.sh after the cross builds (every addon must be there).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { after, before, test } from "node:test";
import { PLATFORMS, pack } from "../../scripts/pack.mjs";

const manifest = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));
const targets = manifest.napi.targets.map((triple) => PLATFORMS[triple]);

let work;
let main;
const platformTarballs = {};
before(() => {
  work = mkdtempSync(join(tmpdir(), "zephr-admin-platforms-"));
  const tarballs = pack(work, { strict: true });
  main = tarballs[0];
  for (const file of tarballs.slice(1)) platformTarballs[basename(file).replace(/-\d+\.\d+\.\d+.*$/, "")] = file;
});
after(() => rmSync(work, { recursive: true, force: true }));

const tarList = (file) => execFileSync("tar", ["-tzf", file], { encoding: "utf8" }).trim().split("\n").sort();
const tarManifest = (file) => JSON.parse(execFileSync("tar", ["-xzOf", file, "package/package.json"], { encoding: "utf8" }));

test("pack --all: one tarball per target, agreeing with the main one", () => {
  const published = tarManifest(main);
  assert.deepEqual(Object.keys(platformTarballs).sort(), targets.map((t) => `zephr-admin-${t.name}`).sort());
  assert.deepEqual(published.optionalDependencies, Object.fromEntries(targets.map((t) => [`zephr-admin-${t.name}`, published.version])));
  for (const { name, os, cpu, libc } of targets) {
    const file = platformTarballs[`zephr-admin-${name}`];
    const m = tarManifest(file);
    assert.equal(m.name, `zephr-admin-${name}`);
    assert.equal(m.version, published.version);
    assert.deepEqual(m.os, [os]);
    assert.deepEqual(m.cpu, [cpu]);
    assert.deepEqual(m.libc, libc && [libc]);
    assert.equal(m.main, `zephr-admin.${name}.node`);
    assert.deepEqual(tarList(file), ["package/LICENSE-APACHE", "package/LICENSE-MIT", "package/README.md", "package/package.json", `package/zephr-admin.${name}.node`]);
  }
  // The main tarball carries no addon: the platform packages do.
  assert.deepEqual(tarList(main).filter((f) => f.endsWith(".node")), []);
});

for (const { name, os, cpu, libc } of targets) {
  test(`npm install --os=${os} --cpu=${cpu}${libc ? ` --libc=${libc}` : ""}: exactly zephr-admin-${name}`, () => {
    const dir = join(work, `install-${name}`);
    mkdirSync(dir);
    // The platform tarballs stand in for the registry's packages of the same names.
    const overrides = Object.fromEntries(Object.entries(platformTarballs).map(([pkgName, file]) => [pkgName, `file:${file}`]));
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "consumer", private: true, dependencies: { "zephr-admin": `file:${main}` }, overrides }));
    const flags = [`--os=${os}`, `--cpu=${cpu}`, ...(libc ? [`--libc=${libc}`] : [])];
    execFileSync("npm", ["install", "--offline", "--ignore-scripts", "--no-audit", "--no-fund", ...flags], { cwd: dir, stdio: ["ignore", "pipe", "pipe"], timeout: 120_000 });
    const installed = readdirSync(join(dir, "node_modules")).filter((entry) => entry.startsWith("zephr-admin-"));
    assert.deepEqual(installed, [`zephr-admin-${name}`]);
    const addon = readFileSync(join(dir, "node_modules", `zephr-admin-${name}`, `zephr-admin.${name}.node`));
    assert.ok(addon.length > 100_000);
  });
}
