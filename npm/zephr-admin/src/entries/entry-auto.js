// Node (`zephr-admin`): the native addon when it loads, otherwise the wasm
// module, with one warning that says how to get the native one.
import { readFileSync } from "node:fs";
import * as wasm from "./wasm/zephr_admin_wasm.js";
import { howToGetNative, loadNative } from "./native.js";
import { installBackend } from "./index.js";

const loaded = loadNative();
if (loaded.addon) {
  installBackend("native", loaded.addon);
} else {
  process.emitWarning(howToGetNative(loaded.platform, loaded.error), { code: "ZEPHR_ADMIN_NO_NATIVE" });
  const bytes = readFileSync(new URL("./wasm/zephr_admin_wasm_bg.wasm", import.meta.url));
  wasm.initSync({ module: new WebAssembly.Module(bytes) });
  installBackend("wasm", wasm);
}

export * from "./index.js";
