// `zephr-admin/wasm` on servers, and Deno: the inlined wasm module, compiled on first use.
import { loadWasm } from "./wasm.js";
import { bindBackend } from "./api.js";

export const { signRequest, prepareRequest, parseResponse, ZephrClient, backend, backendName, ready,
  constructEvent, verifyWebhook, generateTestWebhook } = bindBackend("wasm", loadWasm);
export * from "./shared.js";
