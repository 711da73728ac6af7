// The backend contract: what the wasm module (and, later, the native addon)
// exports. Conversion only: strings, numbers and bytes in, one JSON text out
// (`{"ok": ...}` or `{"err": {...}}`). Every decision is made in the Rust core.

/** @internal */
export interface Backend {
  /** Throws the error JSON text (`{"err": ...}`) on bad input. */
  signRequest(
    accessKey: string, secretKey: string, method: string, path: string, query: string,
    body: Uint8Array, timestamp: string, nonce: string,
  ): string;
  prepareRequest(operationId: string, params: string, options: string): string;
  parseResponse(operationId: string, status: number, headers: string, body: Uint8Array, params: string): string;
  retryDelay(method: string, status: number, retryAfter: string, retries: number, jitter: number, nowMs: number, maxRetries: number): number;
}

/** Which implementation of the core is in use. */
export type BackendName = "wasm" | "native";

let installed: { name: BackendName; backend: Backend } | undefined;

/** The backend in use (`"wasm"` or `"native"`); set when the package is imported. */
export let backend: BackendName | undefined;

/** @internal Called once by the entry point that loaded a backend. */
export function installBackend(name: BackendName, implementation: Backend): void {
  installed = { name, backend: implementation };
  backend = name;
}

/** @internal */
export function core(): Backend {
  if (!installed) {
    throw new Error("zephr-admin: no backend is loaded; import the package through its entry point");
  }
  return installed.backend;
}

/** The backend in use: `"wasm"` or `"native"`. */
export function backendName(): BackendName {
  core();
  return installed!.name;
}
