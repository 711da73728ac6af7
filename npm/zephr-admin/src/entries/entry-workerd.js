// Cloudflare Workers (workerd) and other `worker` runtimes: the wasm module is imported statically as a
// precompiled WebAssembly.Module (these runtimes forbid compiling wasm from bytes) and
// instantiated on first use.
import module from "./wasm/zephr_admin_wasm_bg.wasm";
import * as wasm from "./wasm/zephr_admin_wasm.js";
import { bindBackend } from "./api.js";

export const { signRequest, prepareRequest, parseResponse, ZephrClient, backend, backendName, ready,
  constructEvent, verifyWebhook, generateTestWebhook } = bindBackend("wasm", () => {
  wasm.initSync({ module });
  return wasm;
});
export * from "./shared.js";
