// Receiving Zephr webhooks: verify the credentials a delivery carries, parse its
// envelope into a discriminated union, and build test deliveries. Every decision
// (constant-time comparison, envelope rules, staleness, dedupe key) is made in the
// Rust core; this file only reads requests and converts values.

import { ZephrError } from "./errors.js";
import type {
  MalformedReason, TestDeliveryData, TestEventData, UserEventType, WebhookAnswer, WebhookErrorCode, WebhookErrorData,
  WebhookEventData, WebhookEventType, WebhookSettings,
} from "./generated/protocol.js";

export type { MalformedReason, UserEventType, WebhookErrorCode, WebhookEventType } from "./generated/protocol.js";

/** Internal: the two backend functions webhooks need (both backends export them). */
export interface WebhookBackend {
  verifyWebhook(options: string, authorization: string | undefined, body: Uint8Array, nowMs: number): string;
  testWebhookRequest(options: string, event: string, method: string): string;
}

/** The credentials a webhook target was configured with in Zephr (Settings, Webhook Credentials). */
export type WebhookCredentials =
  | { bearer: string; basic?: never }
  | { basic: { username: string; password: string }; bearer?: never };

/** How deliveries are checked. */
export type WebhookOptions = WebhookCredentials & {
  /** Refuse events whose `time` is further than this from now, in either direction (ms). Off by default. */
  toleranceMs?: number;
  /** The clock, in ms since the epoch [default: `Date.now()`]. */
  now?: number;
};

/** `details` of the user events, as documented for `CREATE_USER`. Members are optional:
 * only `CREATE_USER`'s shape is documented, the other user events are assumed to share it. */
export interface UserDetails {
  user_id?: string;
  identifiers?: Record<string, string>;
  attributes?: Record<string, unknown>;
  email_verified?: boolean;
  tracking_id?: string;
  registered?: string;
  registration_state?: string;
  [member: string]: unknown;
}

/** Every other known event type (`details` as received). */
export type OtherEventType = Exclude<WebhookEventType, UserEventType>;

/** The members every event has (the core's message, without the two it refines). */
type Envelope = Omit<WebhookEventData, "type" | "details">;

/** A user event: `details` is a user record. */
export interface UserEvent<T extends UserEventType = UserEventType> extends Envelope {
  type: T;
  details: UserDetails;
}

/** Another known event: `details` as received. */
export interface OtherEvent<T extends OtherEventType = OtherEventType> extends Envelope {
  type: T;
  details: Record<string, unknown> | null;
}

/** A type this SDK does not know yet: `rawType` has its name. */
export interface UnknownEvent extends Envelope {
  type: "UNKNOWN";
  details: unknown;
}

/** A verified webhook event; narrows on `type`. */
export type ZephrWebhookEvent =
  | { [T in UserEventType]: UserEvent<T> }[UserEventType]
  | { [T in OtherEventType]: OtherEvent<T> }[OtherEventType]
  | UnknownEvent;

/** A refused delivery (or unusable options). Answer 401 for the authorization codes, 400 otherwise. */
export class ZephrWebhookError extends ZephrError {
  declare readonly code: WebhookErrorCode;
  /** For `webhook_malformed_authorization`: what was wrong with the header. */
  readonly reason: MalformedReason | undefined;
  /** For `webhook_stale_event`: now minus the event's time, in ms. */
  readonly ageMs: number | undefined;
  /** For `webhook_stale_event`: the window. */
  readonly toleranceMs: number | undefined;
  /** The HTTP status a receiver should answer with. */
  readonly status: 400 | 401;
  constructor(data: WebhookErrorData) {
    super(data.code, data.message);
    this.reason = data.reason;
    this.ageMs = data.ageMs;
    this.toleranceMs = data.toleranceMs;
    this.status = data.code.endsWith("authorization") || data.code === "webhook_wrong_credentials" ? 401 : 400;
  }
}

/** A delivery as Zephr sends it, to feed a handler under test. */
export interface TestWebhookDelivery {
  method: string;
  headers: Record<string, string>;
  body: string;
  /** The same as a Fetch `Request` to `url`. */
  toRequest(url?: string): Request;
}

/** What `generateTestWebhook` builds: an event with defaults for the envelope. */
export interface TestWebhookEvent {
  type: WebhookEventType | (string & {});
  /** ms since the epoch [default: now]. */
  time?: number;
  details?: unknown;
  tenantId?: string;
  subTenantId?: string;
  webhook?: string;
}

/** The raw parts of a delivery: its `Authorization` header and body bytes. */
export interface RawDelivery {
  authorization: string | null | undefined;
  body: string | Uint8Array | ArrayBuffer;
}

/** Node's `IncomingMessage`, structurally (no dependency on Node's types). */
export interface NodeRequest {
  headers: Record<string, string | string[] | undefined>;
  [Symbol.asyncIterator](): AsyncIterator<unknown>;
  readableEnded?: boolean;
}

const encoder = new TextEncoder();

function bytes(body: RawDelivery["body"]): Uint8Array {
  if (typeof body === "string") return encoder.encode(body);
  if (body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  throw new ZephrWebhookError({ code: "webhook_invalid_body", message: "the body must be a string, a Uint8Array or an ArrayBuffer" });
}

function credentialsJson(options: WebhookOptions): string {
  if (options == null || typeof options !== "object") {
    throw new ZephrWebhookError({ code: "webhook_invalid_config", message: "webhook options are required: { bearer } or { basic: { username, password } }" });
  }
  const { bearer, basic, toleranceMs } = options;
  const settings: WebhookSettings = { bearer, basic, toleranceMs };
  return JSON.stringify(settings);
}

function unwrap<T>(text: string): T {
  const answer = JSON.parse(text) as WebhookAnswer<T>;
  if (answer.err) throw new ZephrWebhookError(answer.err);
  return answer.ok as T;
}

function isFetchRequest(value: unknown): value is Request {
  return typeof value === "object" && value !== null && typeof (value as Request).arrayBuffer === "function" &&
    typeof (value as Request).headers?.get === "function";
}

function nodeHeader(request: NodeRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

async function readNode(request: NodeRequest): Promise<Uint8Array> {
  if (request.readableEnded) {
    throw new ZephrWebhookError({
      code: "webhook_invalid_body",
      message: "the request body was already read (a JSON body parser ran first): pass the raw body as options.body",
    });
  }
  const chunks: Uint8Array[] = [];
  for await (const chunk of request) chunks.push(typeof chunk === "string" ? encoder.encode(chunk) : (chunk as Uint8Array));
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

/** Internal: the webhook functions bound to a backend (each entry point binds its own). */
export function bindWebhooks(backend: () => WebhookBackend) {
  /** Verifies a delivery from its raw parts and returns the typed event; throws `ZephrWebhookError`. */
  function verifyWebhook(delivery: RawDelivery, options: WebhookOptions): ZephrWebhookEvent {
    const authorization = delivery.authorization ?? undefined;
    const answer = backend().verifyWebhook(credentialsJson(options), authorization, bytes(delivery.body), options.now ?? Date.now());
    // The core's message, whose `type` and `details` the union above refines.
    return unwrap<WebhookEventData>(answer) as ZephrWebhookEvent;
  }

  /**
   * Verifies a delivery and returns the typed event; throws `ZephrWebhookError`.
   *
   * `request` is a Fetch `Request` (Workers, Deno, Bun, Next.js route handlers; its body is
   * read here) or Node's `IncomingMessage` (`node:http`, Express, Fastify). For Node, pass the
   * raw body as `options.body` when a body parser already read it (`express.raw()`,
   * Fastify's `rawBody`); otherwise the stream is read here.
   */
  async function constructEvent(
    request: Request | NodeRequest,
    options: WebhookOptions & { body?: string | Uint8Array | ArrayBuffer },
  ): Promise<ZephrWebhookEvent> {
    if (isFetchRequest(request)) {
      const body = options.body ?? new Uint8Array(await request.arrayBuffer());
      return verifyWebhook({ authorization: request.headers.get("authorization"), body }, options);
    }
    if (request && typeof request === "object" && typeof request.headers === "object") {
      const body = options.body ?? (await readNode(request));
      return verifyWebhook({ authorization: nodeHeader(request, "authorization"), body }, options);
    }
    throw new ZephrWebhookError({ code: "webhook_invalid_config", message: "constructEvent takes a Fetch Request or a Node IncomingMessage" });
  }

  /** Builds a delivery of `event` carrying `credentials`, as Zephr would send it (POST unless
   * `method` says otherwise), for testing a handler. */
  function generateTestWebhook(
    event: TestWebhookEvent,
    credentials: WebhookCredentials,
    method: "GET" | "POST" | "PUT" | "DELETE" = "POST",
  ): TestWebhookDelivery {
    const full: TestEventData = { time: Date.now(), ...event };
    const built = unwrap<TestDeliveryData>(
      backend().testWebhookRequest(credentialsJson(credentials), JSON.stringify(full), method),
    );
    return {
      ...built,
      toRequest(url = "http://localhost/webhooks/zephr") {
        if (built.method === "GET") {
          throw new ZephrWebhookError({
            code: "webhook_invalid_config",
            message: "a Fetch Request cannot carry a body with GET; test GET deliveries with verifyWebhook and the raw parts",
          });
        }
        return new Request(url, { method: built.method, headers: built.headers, body: built.body });
      },
    };
  }

  return { constructEvent, verifyWebhook, generateTestWebhook };
}
