// Vercel edge (`edge-light`, Next.js edge routes and middleware): the wasm module imported with
// the `?module` suffix, which these bundlers turn into a precompiled WebAssembly.Module (the
// runtime forbids compiling wasm from bytes), instantiated on first use.
import module from "./wasm/zephr_admin_wasm_bg.wasm?module";
import * as wasm from "./wasm/zephr_admin_wasm.js";
import { bindBackend } from "./api.js";

export const { signRequest, prepareRequest, parseResponse, ZephrClient, backend, backendName, ready,
  constructEvent, verifyWebhook, generateTestWebhook } = bindBackend("wasm", () => {
  // Next.js runs edge routes in a sandbox realm and injects a module compiled outside it:
  // wasm-bindgen's `instanceof WebAssembly.Module` check then fails and it would compile bytes.
  if (!(module instanceof WebAssembly.Module)) Object.setPrototypeOf(module, WebAssembly.Module.prototype);
  wasm.initSync({ module });
  return wasm;
});
export * from "./shared.js";
