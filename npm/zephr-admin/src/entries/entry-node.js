// Node, Deno and Bun through `zephr-admin/wasm`: the wasm module, compiled on first use.
import { readFileSync } from "node:fs";
import * as wasm from "./wasm/zephr_admin_wasm.js";
import { bindBackend } from "./api.js";

export const { signRequest, prepareRequest, parseResponse, ZephrClient, backend, backendName, ready } = bindBackend("wasm", () => {
  const bytes = readFileSync(new URL("./wasm/zephr_admin_wasm_bg.wasm", import.meta.url));
  wasm.initSync({ module: new WebAssembly.Module(bytes) });
  return wasm;
});
export * from "./shared.js";
