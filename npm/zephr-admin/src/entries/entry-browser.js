// Browsers: the wasm module is fetched next to this file and compiled while streaming, once
// something asks for it (`ready()`, a `ZephrClient` call, or a synchronous call, which throws
// until the module is ready).
import init, * as wasm from "./wasm/zephr_admin_wasm.js";
import { bindBackend } from "./api.js";

export const { signRequest, prepareRequest, parseResponse, ZephrClient, backend, backendName, ready } = bindBackend("wasm", {
  start: async () => {
    await init({ module_or_path: new URL("./wasm/zephr_admin_wasm_bg.wasm", import.meta.url) });
    return wasm;
  },
  notReady: "zephr-admin: the wasm module is still loading; in a browser, `await ready()` (exported by zephr-admin) " +
    "before calling signRequest, prepareRequest or parseResponse. ZephrClient methods wait by themselves.",
});
export * from "./shared.js";
