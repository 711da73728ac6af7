// Packs the package as it is published: `zephr-admin` with one optional
// dependency per native target (the napi-rs layout: `zephr-admin-<platform>`
// at the same version, the way `napi prepublish` fills them in), and every
// platform package whose addon is built. Each tarball carries its README and
// the licence texts of the repository root. Usage: node scripts/pack.mjs <dir>
// (after npm run build). Prints the tarball paths as a JSON array.
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** napi-rs platform names of the Rust targets the package lists. */
export const PLATFORMS = { "x86_64-unknown-linux-gnu": "linux-x64-gnu" };

const pkg = dirname(dirname(fileURLToPath(import.meta.url)));
const root = join(pkg, "..", "..");
const LICENSES = ["LICENSE-MIT", "LICENSE-APACHE"];

/** Packs `dir` with `manifest` as its package.json, from a staging copy of its files,
 * README.md and the root's licences. Answers the tarball's path. */
function packStaged(dir, manifest, destination) {
  const stage = mkdtempSync(join(tmpdir(), "zephr-admin-stage-"));
  try {
    for (const file of [...manifest.files, "README.md"]) {
      const from = LICENSES.includes(file) ? join(root, file) : join(dir, file);
      cpSync(from, join(stage, file), { recursive: true });
    }
    writeFileSync(join(stage, "package.json"), JSON.stringify(manifest, null, 2) + "\n");
    const out = execFileSync("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", destination], { cwd: stage, encoding: "utf8" });
    return join(destination, JSON.parse(out)[0].filename);
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

export function pack(destination) {
  const manifest = JSON.parse(readFileSync(join(pkg, "package.json"), "utf8"));
  const platforms = manifest.napi.targets.map((triple) => {
    if (!PLATFORMS[triple]) throw new Error(`no platform name for ${triple}`);
    return PLATFORMS[triple];
  });
  const published = { ...manifest, optionalDependencies: Object.fromEntries(platforms.map((p) => [`zephr-admin-${p}`, manifest.version])) };
  delete published.devDependencies;
  delete published.scripts;
  const tarballs = [packStaged(pkg, published, destination)];

  for (const platform of platforms) {
    const dir = join(pkg, "..", `zephr-admin-${platform}`);
    const platformManifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    if (platformManifest.version !== manifest.version) throw new Error(`${platformManifest.name} ${platformManifest.version} is not ${manifest.version}`);
    if (existsSync(join(dir, `zephr-admin.${platform}.node`))) tarballs.push(packStaged(dir, platformManifest, destination));
  }
  return tarballs;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const destination = resolve(process.argv[2] ?? ".");
  console.log(JSON.stringify(pack(destination)));
}
