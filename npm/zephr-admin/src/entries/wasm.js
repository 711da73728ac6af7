// The wasm backend for Node, Deno, Bun and unknown runtimes: the module's bytes are inlined
// (base64, wasm/inline.js, written by scripts/build.mjs), so there is no file to read (Deno
// needs no --allow-read) and a bundle made for a server carries the module with it.
import * as wasm from "./wasm/zephr_admin_wasm.js";
import base64 from "./wasm/inline.js";

/** Compiles and instantiates the inlined module (synchronously); answers the backend. */
export function loadWasm() {
  wasm.initSync({ module: new WebAssembly.Module(decode(base64)) });
  return wasm;
}

// The native decoders take well under a millisecond; the portable loop about 15 ms.
function decode(text) {
  if (typeof Uint8Array.fromBase64 === "function") return Uint8Array.fromBase64(text);
  if (typeof globalThis.Buffer?.from === "function") return globalThis.Buffer.from(text, "base64");
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
