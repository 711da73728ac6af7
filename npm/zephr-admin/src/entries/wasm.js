// The wasm backend for Node, Deno, Bun and unknown runtimes: the module's bytes are inlined
// (base64, wasm/inline.js, written by scripts/build.mjs), so there is no file to read (Deno
// needs no --allow-read) and a bundle made for a server carries the module with it.
import * as wasm from "./wasm/zephr_admin_wasm.js";
import base64 from "./wasm/inline.js";

/** Compiles and instantiates the inlined module (synchronously); answers the backend. */
export function loadWasm() {
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  wasm.initSync({ module: new WebAssembly.Module(bytes) });
  return wasm;
}
