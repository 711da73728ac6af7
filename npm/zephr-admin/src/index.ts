// zephr-admin: one TypeScript surface over the Rust core, whichever backend runs it.
// The declarations every entry point (src/entries/) satisfies: each one exports
// `bindBackend(...)`'s result for its backend plus everything in shared.ts.

import type { BoundApi } from "./api.js";
import type { BackendName } from "./backend.js";
import type { ClientOptions, ZephrClient as Client } from "./client.js";

export * from "./shared.js";

/** The `Authorization` header value for one request (`ZEPHR-HMAC-SHA256 ...`). */
export declare const signRequest: BoundApi["signRequest"];

/** The signed request of an operation. */
export declare const prepareRequest: BoundApi["prepareRequest"];

/** The decoded answer of an operation, or a thrown typed error (`ZephrApiError` subclasses,
 * `ZephrDecodeError`). Lists come back as `{ results: [...], total?, ... }` whatever envelope
 * the server used. */
export declare const parseResponse: BoundApi["parseResponse"];

/** A Zephr Admin API client. One namespace per resource group, one method per operation:
 * `await client.users.listSessions({ user_id })`. */
export declare class ZephrClient extends Client {
  constructor(options: ClientOptions);
}

/** The backend this entry point uses: `"wasm"` or `"native"`. */
export declare const backend: BackendName;

/** The backend this entry point uses: `"wasm"` or `"native"`. */
export declare function backendName(): BackendName;

/** Resolves once the synchronous functions (`signRequest`, `prepareRequest`, `parseResponse`)
 * can run. Needed only in browsers, where the wasm module compiles asynchronously: a
 * synchronous call before then throws a `ZephrError` with code `backend_not_ready`.
 * `ZephrClient` methods wait by themselves. Elsewhere it resolves at once. */
export declare function ready(): Promise<void>;

/** Verifies a webhook delivery (a Fetch `Request`, or Node's `IncomingMessage` plus its raw body)
 * against the configured credentials and returns the typed event; throws `ZephrWebhookError`. */
export declare const constructEvent: BoundApi["constructEvent"];

/** Verifies a webhook delivery from its raw parts (the `Authorization` header and the body). */
export declare const verifyWebhook: BoundApi["verifyWebhook"];

/** A valid, credentialed webhook delivery for an event, to test a handler with. */
export declare const generateTestWebhook: BoundApi["generateTestWebhook"];
