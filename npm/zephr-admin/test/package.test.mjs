// The published tarballs are complete and well formed: README, both licence texts and the
// registry fields in each; publint finds nothing (strict: warnings fail too); and
// @arethetypeswrong/cli finds no problem for the profile the package supports, `esm-only`
// (ES modules only: the CommonJS and node10 resolutions are out of scope; see README.md).
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { pack } from "../scripts/pack.mjs";

const pkg = dirname(dirname(fileURLToPath(import.meta.url)));
const root = join(pkg, "..", "..");
const bin = (name) => join(pkg, "node_modules", ".bin", name);

let work;
let tarballs;
before(() => {
  work = mkdtempSync(join(tmpdir(), "zephr-admin-package-"));
  tarballs = pack(work);
  // The main one and each platform package whose addon is built (all of them after
  // scripts/build-platforms.sh).
  assert.ok(tarballs.length >= 2, `packed: ${tarballs}`);
});
after(() => rmSync(work, { recursive: true, force: true }));

const listing = (tarball) => execFileSync("tar", ["tzf", tarball], { encoding: "utf8" }).split("\n").filter(Boolean);
const member = (tarball, file) => execFileSync("tar", ["xzOf", tarball, `package/${file}`], { encoding: "utf8" });

test("each tarball carries its README, both licence texts of the repository and the registry fields", () => {
  for (const tarball of tarballs) {
    const files = listing(tarball);
    for (const file of ["README.md", "LICENSE-MIT", "LICENSE-APACHE", "package.json"]) {
      assert.ok(files.includes(`package/${file}`), `${tarball} lacks ${file}`);
    }
    assert.equal(member(tarball, "LICENSE-MIT"), readFileSync(join(root, "LICENSE-MIT"), "utf8"));
    assert.equal(member(tarball, "LICENSE-APACHE"), readFileSync(join(root, "LICENSE-APACHE"), "utf8"));
    assert.match(member(tarball, "LICENSE-APACHE"), /Apache License\s+Version 2\.0/);
    const manifest = JSON.parse(member(tarball, "package.json"));
    assert.equal(manifest.license, "MIT OR Apache-2.0");
    assert.equal(manifest.repository.url, "git+https://github.com/zephr-admin/zephr-admin.git");
    assert.equal(manifest.homepage, "https://github.com/zephr-admin/zephr-admin#readme");
    assert.equal(manifest.bugs.url, "https://github.com/zephr-admin/zephr-admin/issues");
    // The README is written for the npm page: no links into the repository's layout.
    assert.doesNotMatch(member(tarball, "README.md"), /\]\((?!https:)/);
  }
  const main = JSON.parse(member(tarballs[0], "package.json"));
  assert.ok(main.keywords.includes("zephr"));
  assert.equal(main.sideEffects, false);
  assert.equal(main.devDependencies, undefined);
});

test("publint --strict finds nothing in any tarball", () => {
  for (const tarball of tarballs) {
    const out = spawnSync(bin("publint"), ["run", tarball, "--strict"], { encoding: "utf8", timeout: 60_000 });
    assert.equal(out.status, 0, `${out.stdout}\n${out.stderr}`);
    assert.match(out.stdout, /All good!/);
  }
});

test("@arethetypeswrong/cli --profile esm-only: no problem for node16 (ESM) and bundler resolution", () => {
  const out = spawnSync(bin("attw"), [tarballs[0], "--profile", "esm-only", "--format", "json"], { encoding: "utf8", timeout: 60_000 });
  assert.equal(out.status, 0, `${out.stdout}\n${out.stderr}`);
  const { problems, analysis } = JSON.parse(out.stdout);
  const inScope = Object.values(problems).flat().filter((p) => !["node10", "node16-cjs"].includes(p.resolutionKind));
  assert.deepEqual(inScope, []);
  assert.deepEqual(Object.keys(analysis.entrypoints).sort(), [".", "./node", "./package.json", "./wasm"]);
});
