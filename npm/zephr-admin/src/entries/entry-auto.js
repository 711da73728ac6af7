// Node (`zephr-admin`): the native addon when it loads, otherwise the wasm module
// (compiled on first use), with one warning that says how to get the native one.
import { readFileSync } from "node:fs";
import * as wasm from "./wasm/zephr_admin_wasm.js";
import { howToGetNative, loadNative } from "./native.js";
import { bindBackend } from "./api.js";

const loaded = loadNative();
if (!loaded.addon) {
  process.emitWarning(howToGetNative(loaded.platform, loaded.error), { code: "ZEPHR_ADMIN_NO_NATIVE" });
}

export const { signRequest, prepareRequest, parseResponse, ZephrClient, backend, backendName, ready } = loaded.addon
  ? bindBackend("native", () => loaded.addon)
  : bindBackend("wasm", () => {
    const bytes = readFileSync(new URL("./wasm/zephr_admin_wasm_bg.wasm", import.meta.url));
    wasm.initSync({ module: new WebAssembly.Module(bytes) });
    return wasm;
  });
export * from "./shared.js";
