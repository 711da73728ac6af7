// zephr-admin: one TypeScript surface over the Rust core, whichever backend runs it.

export { backend, backendName, type BackendName } from "./backend.js";
/** @internal */
export { installBackend } from "./backend.js";
export {
  type BodyInput,
  type ParamsOf,
  type PrepareOptions,
  type PreparedRequest,
  type ResponseInput,
  type ResultOf,
  type SignInput,
  type Timestamp,
  parseResponse,
  prepareRequest,
  signRequest,
} from "./core.js";
export { type ApiResponse, type ClientOptions, type RequestOptions, ZephrClient } from "./client.js";
export * from "./errors.js";
export { NAMESPACES, OPERATIONS as operations } from "./generated/operations.js";
export type * from "./generated/operations.js";
