// esbuild for Vercel's edge runtime (`edge-light`). The package imports its wasm with the
// `?module` suffix; Vercel binds each such file as a precompiled WebAssembly.Module global (the
// runtime forbids compiling wasm from bytes). esbuild knows no such loader, so this plugin
// turns the import into a read of that global, named after the file.
import { build } from "esbuild";
import { basename } from "node:path";

const wasmModules = {
  name: "wasm-module-binding",
  setup(b) {
    b.onResolve({ filter: /\.wasm\?module$/ }, (args) => ({ path: basename(args.path, ".wasm?module"), namespace: "wasm-binding" }));
    b.onLoad({ filter: /.*/, namespace: "wasm-binding" }, (args) => ({ contents: `export default globalThis[${JSON.stringify(args.path)}];` }));
  },
};

await build({
  entryPoints: ["edge.js"],
  bundle: true,
  platform: "neutral",
  conditions: ["edge-light"],
  format: "iife",
  outfile: "dist/edge/edge.js",
  plugins: [wasmModules],
  logLevel: "warning",
});
