// Browsers: the wasm module is fetched next to this file and compiled while streaming.
import init, * as wasm from "./wasm/zephr_admin_wasm.js";
import { installBackend } from "./index.js";

await init({ module_or_path: new URL("./wasm/zephr_admin_wasm_bg.wasm", import.meta.url) });
installBackend("wasm", wasm);

export * from "./index.js";
