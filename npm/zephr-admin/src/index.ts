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

// Webhooks: bound to the backend the entry point installed.
import { core } from "./backend.js";
import { type WebhookBackend, bindWebhooks } from "./webhooks.js";
export {
  type NodeRequest,
  type OtherEvent,
  type OtherEventType,
  type RawDelivery,
  type TestWebhookDelivery,
  type TestWebhookEvent,
  type UnknownEvent,
  type UserDetails,
  type UserEvent,
  type UserEventType,
  type WebhookCredentials,
  type WebhookErrorCode,
  type WebhookEventType,
  type WebhookOptions,
  type ZephrWebhookEvent,
  ZephrWebhookError,
} from "./webhooks.js";
/** Verifies a webhook delivery (a Fetch `Request`, or Node's `IncomingMessage` plus its raw body)
 * against the configured credentials and returns the typed event. */
export const { constructEvent, verifyWebhook, generateTestWebhook } = bindWebhooks(
  () => core() as unknown as WebhookBackend,
);
