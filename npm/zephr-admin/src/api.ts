// Binds the shared code to one backend. Each entry point calls `bindBackend` and exports
// what it returns: the functions and the client class hold their backend in a closure,
// so nothing depends on a module having run for its side effects.

import { type AsyncLoad, type Backend, type BackendName, makeCore } from "./backend.js";
import { type ClientOptions, ZephrClient as Client } from "./client.js";
import * as core from "./core.js";
import type { OperationId } from "./generated/operations.js";
import { bindWebhooks } from "./webhooks.js";

/** Internal: the backend-bound part of the surface, as each entry point exports it. */
export function bindBackend(name: BackendName, load: (() => Backend) | AsyncLoad) {
  const backend = makeCore(load);

  /** The `Authorization` header value for one request (`ZEPHR-HMAC-SHA256 ...`). */
  function signRequest(input: core.SignInput): string {
    return core.signRequest(backend, input);
  }

  /** The signed request of an operation. */
  function prepareRequest<Id extends OperationId>(
    operationId: Id,
    params: core.ParamsOf<Id>,
    options: core.PrepareOptions,
  ): core.PreparedRequest {
    return core.prepareRequest(backend, operationId, params, options);
  }

  /** The decoded answer of an operation, or a thrown typed error (`ZephrApiError` subclasses,
   * `ZephrDecodeError`). Lists come back as `{ results: [...], total?, ... }` whatever envelope
   * the server used. */
  function parseResponse<Id extends OperationId>(operationId: Id, response: core.ResponseInput): core.ResultOf<Id> {
    return core.parseResponse(backend, operationId, response);
  }

  /** A Zephr Admin API client. One namespace per resource group, one method per operation:
   * `await client.users.listSessions({ user_id })`. */
  class ZephrClient extends Client {
    constructor(options: ClientOptions) {
      super(options, backend);
    }
  }

  return {
    signRequest,
    prepareRequest,
    parseResponse,
    ZephrClient,
    /** The backend in use: `"wasm"` or `"native"`. */
    backend: name,
    /** The backend in use: `"wasm"` or `"native"`. */
    backendName: (): BackendName => name,
    /** Resolves once the synchronous functions can run (in browsers, once the wasm module has compiled). */
    ready: (): Promise<void> => backend.ready(),
    ...bindWebhooks(backend),
  };
}

/** Internal: what an entry point exports besides shared.ts. */
export type BoundApi = ReturnType<typeof bindBackend>;
