// Node and Bun (`zephr-admin`): the native addon where one is installed and loads, otherwise
// the wasm module (compiled on first use). Silent when no addon is installed (none exists for
// most platforms); one warning when an installed addon fails to load.
import { howToGetNative, loadNative } from "./native.js";
import { loadWasm } from "./wasm.js";
import { bindBackend } from "./api.js";

const loaded = loadNative();
if (loaded.error) {
  process.emitWarning(howToGetNative(loaded.platform, loaded.error), { code: "ZEPHR_ADMIN_NATIVE_FAILED" });
}

export const { signRequest, prepareRequest, parseResponse, ZephrClient, backend, backendName, ready,
  constructEvent, verifyWebhook, generateTestWebhook } = loaded.addon
  ? bindBackend("native", () => loaded.addon)
  : bindBackend("wasm", loadWasm);
export * from "./shared.js";
