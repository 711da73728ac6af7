// Run under a platform's own Node: which platform the package's detection names and
// whether its addon loads there. Exits non-zero unless it is the expected one, loaded.
// Usage: node test/platforms/probe.mjs <expected platform> <output file>
import { writeFileSync } from "node:fs";
import { loadNative, nativePlatform } from "../../dist/native.js";

const [expected, output] = process.argv.slice(2);
const loaded = loadNative();
const result = { expected, platform: nativePlatform(), loaded: typeof loaded.addon?.signRequest === "function", error: loaded.error };
// Piped stdout does not work under Wine: the answer goes to a file.
writeFileSync(output, JSON.stringify(result) + "\n");
process.exitCode = result.platform === expected && result.loaded ? 0 : 1;
