// The backend contract: what the wasm module and the native addon export.
// Conversion only: strings, numbers and bytes in, one JSON text out
// (`{"ok": ...}` or `{"err": {...}}`). Every decision is made in the Rust core.
//
// There is no global backend: each entry point binds the shared code to its own
// backend (`bindBackend` in api.ts), so the exported functions and classes hold
// it themselves and no bundler can separate them from it.

import { ZephrError } from "./errors.js";
import type { WebhookBackend } from "./webhooks.js";

/** Internal: what the wasm module and the native addon export. */
export interface Backend extends WebhookBackend {
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

/** Internal: how the shared code reaches the backend of its entry point. */
export interface Core {
  /** The backend, loaded on first use; throws a typed error while it cannot be had synchronously. */
  (): Backend;
  /** Whether `core()` can answer now: always, except in a browser before the wasm module has compiled. */
  available(): boolean;
  /** Resolves once `core()` can answer (starts the asynchronous load where there is one). */
  ready(): Promise<void>;
}

/** Internal: a backend obtained asynchronously (browsers compile the wasm module while it downloads). */
export interface AsyncLoad {
  /** Starts the load; called at most once. */
  start(): Promise<Backend>;
  /** The message of the error thrown by synchronous calls made before the load has finished. */
  notReady: string;
}

/** Internal: a `Core` over a synchronous loader (called once, on first use) or an asynchronous one. */
export function makeCore(load: (() => Backend) | AsyncLoad): Core {
  let backend: Backend | undefined;
  let failure: unknown;
  let pending: Promise<void> | undefined;
  const core = (() => {
    if (backend) return backend;
    if (typeof load === "function") return (backend = load());
    if (failure !== undefined) throw failure;
    void core.ready();
    throw new ZephrError("backend_not_ready", load.notReady);
  }) as Core;
  core.available = () => backend !== undefined || typeof load === "function";
  core.ready = () => {
    if (typeof load === "function") {
      try {
        core();
        return Promise.resolve();
      } catch (error) {
        return Promise.reject(error);
      }
    }
    pending ??= load.start().then(
      (loaded) => { backend = loaded; },
      (error) => { failure = error; throw error; },
    );
    return pending;
  };
  return core;
}
