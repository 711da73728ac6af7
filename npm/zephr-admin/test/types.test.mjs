// The public TypeScript types: typed params and results per operation, and the
// mistakes they must catch (see the @ts-expect-error lines in types/usage.ts).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

test("the declarations type-check a client program and reject wrong params", () => {
  const pkg = fileURLToPath(new URL("..", import.meta.url));
  const tsc = spawnSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "test/types"], { cwd: pkg, encoding: "utf8" });
  assert.equal(tsc.status, 0, tsc.stdout + tsc.stderr);
});

// What an editor shows on hover, asked of the TypeScript language service over
// the same client program: every generated method documents itself.
test("hovering a generated method or body field shows its docs", async () => {
  const { default: ts } = await import("typescript");
  const dir = fileURLToPath(new URL("./types/", import.meta.url));
  const config = ts.getParsedCommandLineOfConfigFile(`${dir}tsconfig.json`, {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => assert.fail(ts.flattenDiagnosticMessageText(d.messageText, "\n")),
  });
  const service = ts.createLanguageService({
    getScriptFileNames: () => config.fileNames,
    getScriptVersion: () => "1",
    getScriptSnapshot: (f) => (ts.sys.fileExists(f) ? ts.ScriptSnapshot.fromString(ts.sys.readFile(f)) : undefined),
    getCurrentDirectory: () => dir,
    getCompilationSettings: () => config.options,
    getDefaultLibFileName: ts.getDefaultLibFilePath,
    fileExists: ts.sys.fileExists,
    readFile: ts.sys.readFile,
    readDirectory: ts.sys.readDirectory,
    directoryExists: ts.sys.directoryExists,
    getDirectories: ts.sys.getDirectories,
  });
  const file = `${dir}usage.ts`;
  const text = readFileSync(file, "utf8");
  const hover = (needle) => {
    const at = text.indexOf(needle);
    assert.ok(at >= 0, needle);
    const info = service.getQuickInfoAtPosition(file, at + needle.length - 1);
    return ts.displayPartsToString(info?.documentation ?? []);
  };
  const list = hover("client.account.list");
  assert.match(list, /^List accounts/);
  assert.match(list, /`GET \/v3\/accounts` \(operationId `listAccounts`\)/);
  assert.match(list, /Reference: <https:\/\/developer\.zuora\.com\/zephr-api-reference\/zephr-admin-api\/operation\/listAccounts>/);
  assert.match(list, /Reference defect: .*`page`/);
  assert.match(hover("client.cacheManagement.evictOrigin"), /raw text \(not JSON-encoded\) with `Content-Type: application\/json`/);
  assert.match(hover("body: { visibility"), /Always `PUBLIC`/);
});

test("the emitted declarations carry the JSDoc", () => {
  const dts = readFileSync(fileURLToPath(new URL("../dist/generated/operations.d.ts", import.meta.url)), "utf8");
  const ns = dts.slice(dts.indexOf("export interface AccountNamespace<O>"));
  assert.match(ns.slice(0, ns.indexOf("\n}")), /\/\*\*\n\s+\* List accounts\n[^]*?`GET \/v3\/accounts` \(operationId `listAccounts`\)[^]*?\*\/\n\s+list\(params\?: ListAccountsParams/);
  assert.match(dts, /\/\*\* Fields the reference does not document[^*]*\*\/\n\s+extra\?: Record<string, unknown>;/);
});
