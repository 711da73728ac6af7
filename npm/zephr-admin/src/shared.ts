// The backend-free part of the surface: error classes, the operation catalogue and the
// types. Every entry point re-exports this one module, so `instanceof` works across entries.

export type { BackendName } from "./backend.js";
export type {
  BodyInput,
  ParamsOf,
  PrepareOptions,
  PreparedRequest,
  ResponseInput,
  ResultOf,
  SignInput,
  Timestamp,
} from "./core.js";
export type { ApiResponse, ClientOptions, RequestEvent, RequestOptions, ResponseEvent, RetryEvent } from "./client.js";
export * from "./errors.js";
export { NAMESPACES, OPERATIONS as operations } from "./generated/operations.js";
export type * from "./generated/operations.js";
export {
  type MalformedReason,
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
