// Cloudflare Workers (workerd), Vercel edge: the wasm module is imported statically as a
// precompiled WebAssembly.Module; these runtimes forbid compiling wasm from bytes at run time.
import module from "./wasm/zephr_admin_wasm_bg.wasm";
import * as wasm from "./wasm/zephr_admin_wasm.js";
import { installBackend } from "./index.js";

wasm.initSync({ module });
installBackend("wasm", wasm);

export * from "./index.js";
