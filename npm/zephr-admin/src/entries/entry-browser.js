// Browsers: the wasm module is fetched next to this file and compiled while streaming, once
// something asks for it (`ready()`, a `ZephrClient` call, or a synchronous call, which throws
// until the module is ready). No top-level await, so every bundler's browser format takes it.
import init, * as wasm from "./wasm/zephr_admin_wasm.js";
import { bindBackend } from "./api.js";
import { ZephrError } from "./errors.js";

export const { signRequest, prepareRequest, parseResponse, ZephrClient, backend, backendName, ready,
  constructEvent, verifyWebhook, generateTestWebhook } = bindBackend("wasm", {
  start: async () => {
    // Bundlers that handle `new URL(..., import.meta.url)` (Vite, webpack, Rollup, Parcel) ship the file.
    const url = new URL("./wasm/zephr_admin_wasm_bg.wasm", import.meta.url);
    try {
      await init({ module_or_path: url });
    } catch (cause) {
      throw new ZephrError("backend_load_failed",
        `zephr-admin: could not load its wasm module from ${url} (${cause?.message ?? cause}). Serve ` +
        "zephr-admin/dist/wasm/zephr_admin_wasm_bg.wasm at that address: a bundler that does not ship " +
        "`new URL(..., import.meta.url)` assets (esbuild) needs the file copied to wasm/ beside the bundle.", { cause });
    }
    return wasm;
  },
  notReady: "zephr-admin: the wasm module is still loading; in a browser, `await ready()` (exported by zephr-admin) " +
    "before calling signRequest, prepareRequest or parseResponse. ZephrClient methods wait by themselves.",
});
export * from "./shared.js";
