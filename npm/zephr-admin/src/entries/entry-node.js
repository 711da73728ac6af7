// Node, Deno and Bun: the wasm module is read from the package and compiled once, synchronously.
import { readFileSync } from "node:fs";
import * as wasm from "./wasm/zephr_admin_wasm.js";
import { installBackend } from "./index.js";

const bytes = readFileSync(new URL("./wasm/zephr_admin_wasm_bg.wasm", import.meta.url));
wasm.initSync({ module: new WebAssembly.Module(bytes) });
installBackend("wasm", wasm);

export * from "./index.js";
