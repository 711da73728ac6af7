// The backend contract: what the wasm module and the native addon export.
// Conversion only: strings, numbers and bytes in, one JSON text out. Every decision
// (retries and paging included) is made in the Rust core.
//
// There is no global backend: each entry point binds the shared code to its own
// backend (`bindBackend` in api.ts), so the exported functions and classes hold
// it themselves and no bundler can separate them from it.

import { ZephrError } from "./errors.js";
import type { WebhookBackend } from "./webhooks.js";

/** Internal: what the wasm module and the native addon export. The messages are JSON text
 * whose shapes are declared in generated/protocol.ts (generated from the Rust definitions). */
export interface Backend extends WebhookBackend {
  /** Throws the error JSON text (`{"err": ...}`) on bad input. */
  signRequest(
    accessKey: string, secretKey: string, method: string, path: string, query: string,
    body: Uint8Array, timestamp: string, nonce: string,
  ): string;
  /** `signRequest` with a text body (read as UTF-8, lone surrogates as U+FFFD). The native
   * addon only: it reads the text straight into its stack buffer, where wasm gains nothing. */
  signRequestText?(
    accessKey: string, secretKey: string, method: string, path: string, query: string,
    body: string, timestamp: string, nonce: string,
  ): string;
  /** `Answer<Descriptor>`. */
  prepareRequest(operationId: string, params: string, options: string): string;
  /** `ParseAnswer`. */
  parseResponse(operationId: string, status: number, headers: string, body: Uint8Array): string;
  /** A client made once from its options. */
  ClientHandle: new (options: string) => ClientHandle;
  /** `prepareRequest`'s client, made once from the options' parts (`clockOffsetMs` last). */
  Preparer: new (
    accessKey: string, secretKey: string, tenant: string | undefined, baseUrl: string | undefined,
    clockOffsetMs: number | undefined,
  ) => Preparer;
}

/** Internal: a client for `prepareRequest`; invalid options are thrown by its first `prepare`. */
export interface Preparer {
  /** The descriptor as lines: method, URL, header names and values, an empty line, the body.
   * Throws the error JSON text (`{"err": ...}`) on bad input. */
  prepare(operationId: string, params: string, timestampMs: number, nonce: string): string;
  /** Releases the wasm memory (the wasm backend only). */
  free?(): void;
}

/** Internal: a client in the core; `error()` is `Answer` error text when the options are invalid. */
export interface ClientHandle {
  error(): string | null | undefined;
  /** A call; `settings` is `CallSettings` as JSON text. */
  call(operationId: string, params: string, settings: string): CallHandle;
}

/** Internal: one call in the core's engine, pumped by the client. */
export interface CallHandle {
  /** `StepMessage`: what to do next. */
  poll(nowMs: number, nonce: string): string;
  /** Reports an `OutcomeMessage` (the body beside it); answers `Answer<RetryMessage | null>`. */
  handle(outcome: string, body: Uint8Array, nowMs: number, jitter: number): string;
  /** The largest body to read before reporting `bodyTooLarge`. */
  maxResponseBytes(): number;
  /** Releases the wasm memory (the wasm backend only). */
  free?(): void;
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
