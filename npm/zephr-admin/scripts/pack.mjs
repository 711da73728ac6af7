// Packs the package as it is published: `zephr-admin` with one optional
// dependency per native target (the napi-rs layout: `zephr-admin-<platform>`
// at the same version, the way `napi prepublish` fills them in), and every
// platform package whose addon is built. Each tarball carries its README and
// the licence texts of the repository root. Usage: node scripts/pack.mjs <dir>
// (after npm run build). With --all, every platform addon must be built (a release: run
// scripts/build-platforms.sh first). Prints the tarball paths as a JSON array.
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The platform package of each Rust target the package can list in `napi.targets`: its
 * platform name and the npm `os`/`cpu`/`libc` fields that select it at install time. */
export const PLATFORMS = {
  "x86_64-unknown-linux-gnu": { name: "linux-x64-gnu", os: "linux", cpu: "x64", libc: "glibc" },
  "aarch64-unknown-linux-gnu": { name: "linux-arm64-gnu", os: "linux", cpu: "arm64", libc: "glibc" },
  "x86_64-unknown-linux-musl": { name: "linux-x64-musl", os: "linux", cpu: "x64", libc: "musl" },
  "aarch64-unknown-linux-musl": { name: "linux-arm64-musl", os: "linux", cpu: "arm64", libc: "musl" },
  "aarch64-apple-darwin": { name: "darwin-arm64", os: "darwin", cpu: "arm64" },
  "x86_64-apple-darwin": { name: "darwin-x64", os: "darwin", cpu: "x64" },
  // Built with mingw-w64: Node on Windows (MSVC-built) loads it like any Node-API DLL.
  "x86_64-pc-windows-gnu": { name: "win32-x64", os: "win32", cpu: "x64" },
};

/** The platform names of `napi.targets` in `manifest`, in its order. */
export function targetPlatforms(manifest) {
  return manifest.napi.targets.map((triple) => {
    if (!PLATFORMS[triple]) throw new Error(`no platform package for ${triple}`);
    return PLATFORMS[triple].name;
  });
}

/** Why a platform package's manifest does not agree with the main one and the table, or []. */
export function disagreements(manifest, platformManifest, triple) {
  const { name, os, cpu, libc } = PLATFORMS[triple];
  const file = `zephr-admin.${name}.node`;
  const expected = {
    name: `zephr-admin-${name}`,
    version: manifest.version,
    license: manifest.license,
    os: [os],
    cpu: [cpu],
    libc: libc && [libc],
    main: file,
    files: [file, ...LICENSES],
  };
  return Object.entries(expected)
    .filter(([key, value]) => JSON.stringify(platformManifest[key]) !== JSON.stringify(value))
    .map(([key, value]) => `${key} is ${JSON.stringify(platformManifest[key])}, not ${JSON.stringify(value)}`);
}

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

/** Packs the main tarball and the platform tarballs whose addon is built; answers their
 * paths. Throws when a platform package disagrees with the main one, and when `strict` is
 * set and an addon is missing (a release needs all of them). */
export function pack(destination, { strict = false } = {}) {
  const manifest = JSON.parse(readFileSync(join(pkg, "package.json"), "utf8"));
  const platforms = targetPlatforms(manifest);
  const published = { ...manifest, optionalDependencies: Object.fromEntries(platforms.map((p) => [`zephr-admin-${p}`, manifest.version])) };
  delete published.devDependencies;
  delete published.scripts;
  const tarballs = [packStaged(pkg, published, destination)];

  manifest.napi.targets.forEach((triple, i) => {
    const platform = platforms[i];
    const dir = join(pkg, "..", `zephr-admin-${platform}`);
    const platformManifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    const wrong = disagreements(manifest, platformManifest, triple);
    if (wrong.length) throw new Error(`${platformManifest.name}: ${wrong.join("; ")}`);
    if (existsSync(join(dir, `zephr-admin.${platform}.node`))) tarballs.push(packStaged(dir, platformManifest, destination));
    else if (strict) throw new Error(`${platformManifest.name}: zephr-admin.${platform}.node is not built (bash scripts/build-platforms.sh)`);
  });
  return tarballs;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const strict = args.includes("--all");
  const destination = resolve(args.find((arg) => arg !== "--all") ?? ".");
  console.log(JSON.stringify(pack(destination, { strict })));
}
