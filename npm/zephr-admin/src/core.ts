// The functional API: sign, prepare, parse. Thin conversions around the core.

import type { Core } from "./backend.js";
import { type ErrorData, ZephrInputError, errorFromData } from "./errors.js";
import type { OperationId, OperationTypes } from "./generated/operations.js";

const encoder = new TextEncoder();
const EMPTY = new Uint8Array(0);

/** A body as the SDK accepts it. */
export type BodyInput = string | Uint8Array | ArrayBufferView | ArrayBuffer | null | undefined;

/** @internal */
export function toBytes(body: BodyInput): Uint8Array {
  if (body == null) return EMPTY;
  if (typeof body === "string") return encoder.encode(body);
  if (body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  throw new ZephrInputError("invalid_body", "a body must be a string, a Uint8Array (or other ArrayBuffer view), an ArrayBuffer, or null");
}

// Text bodies to sign are encoded into this buffer, reused: the backend reads the
// bytes during the (synchronous) call and keeps nothing. `encodeInto` is several
// times faster than `encode` for small bodies, and signing is the hot path.
const SCRATCH = new Uint8Array(16 * 1024);

/** @internal The bytes of a body for one synchronous backend call. */
export function transientBytes(body: BodyInput): Uint8Array {
  if (typeof body === "string" && body.length * 3 <= SCRATCH.length) {
    const { written } = encoder.encodeInto(body, SCRATCH);
    return SCRATCH.subarray(0, written);
  }
  return toBytes(body);
}

/** @internal Unwraps `{"ok": ...}` or throws the typed error of `{"err": ...}`. */
export function unwrap<T>(text: string, response?: Response): { ok: T; next?: unknown } {
  const answer = JSON.parse(text) as { ok?: T; next?: unknown; err?: ErrorData };
  if (answer.err) throw errorFromData(answer.err, response);
  return answer as { ok: T; next?: unknown };
}

function text(value: unknown, field: string, code: string): string {
  if (typeof value !== "string") throw new ZephrInputError(code, `${field} must be a string`);
  return value;
}

/** Milliseconds since the Unix epoch, as a number or a decimal string. */
export type Timestamp = number | string;

/** What `signRequest` covers. `path` and `query` exactly as sent (query without `?`). */
export interface SignInput {
  accessKey: string;
  secretKey: string;
  method: string;
  path: string;
  query?: string;
  body?: BodyInput;
  timestamp: Timestamp;
  nonce: string;
}

/** The `Authorization` header value for one request (`ZEPHR-HMAC-SHA256 ...`). */
export function signRequest(core: Core, input: SignInput): string {
  const { accessKey, secretKey, method, path, query, body, timestamp, nonce } = input;
  if (typeof timestamp !== "number" && typeof timestamp !== "string") {
    throw new ZephrInputError("invalid_timestamp", "timestamp must be milliseconds as a number or a decimal string");
  }
  try {
    return core().signRequest(
      text(accessKey, "accessKey", "invalid_access_key"), text(secretKey, "secretKey", "invalid_secret_key"),
      text(method, "method", "invalid_method"), text(path, "path", "invalid_path"),
      text(query ?? "", "query", "invalid_query"), transientBytes(body), String(timestamp), text(nonce, "nonce", "invalid_nonce"),
    );
  } catch (e) {
    if (typeof e === "string") unwrap(e);
    throw e;
  }
}

/** Credentials, target and (optionally) a fixed signing time and nonce. */
export interface PrepareOptions {
  accessKey: string;
  secretKey: string;
  /** `https://{tenant}.api.zephr.com`. */
  tenant?: string;
  /** Any `http(s)://` base URL (a proxy, the local emulator). */
  baseUrl?: string;
  /** Signing time [default: now]. */
  timestamp?: Timestamp;
  /** Nonce [default: 128 random bits]. */
  nonce?: string;
  /** Added to the clock when signing (positive when the local clock is behind). */
  clockOffsetMs?: number;
}

/** A signed request, ready for `fetch(url, { method, headers, body })`. */
export interface PreparedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string | null;
}

/** Params of an operation: path and query parameters by documented name, the body under `body`. */
export type ParamsOf<Id extends OperationId> = OperationTypes[Id]["params"];
/** The decoded 2xx answer of an operation. */
export type ResultOf<Id extends OperationId> = OperationTypes[Id]["result"];

/** The signed request of an operation. */
export function prepareRequest<Id extends OperationId>(
  core: Core,
  operationId: Id,
  params: ParamsOf<Id>,
  options: PrepareOptions,
): PreparedRequest {
  return unwrap<PreparedRequest>(
    core().prepareRequest(operationId, JSON.stringify(params ?? {}), JSON.stringify(options)),
  ).ok;
}

/** A received response, in any of the shapes hosts have at hand. */
export interface ResponseInput {
  status: number;
  headers?: Headers | Record<string, string> | Array<[string, string]>;
  body?: BodyInput;
}

/** @internal */
export function headerPairs(headers: ResponseInput["headers"]): Array<[string, string]> {
  if (!headers) return [];
  if (Array.isArray(headers)) return headers;
  if (typeof (headers as Headers).forEach === "function" && typeof (headers as Headers).get === "function") {
    const pairs: Array<[string, string]> = [];
    (headers as Headers).forEach((value, name) => pairs.push([name, value]));
    return pairs;
  }
  return Object.entries(headers as Record<string, string>);
}

/** The decoded answer of an operation, or a thrown typed error (`ZephrApiError` subclasses,
 * `ZephrDecodeError`). Lists come back as `{ results: [...], total?, ... }` whatever envelope
 * the server used. */
export function parseResponse<Id extends OperationId>(core: Core, operationId: Id, response: ResponseInput): ResultOf<Id> {
  const text = core().parseResponse(
    operationId,
    response.status,
    JSON.stringify(headerPairs(response.headers)),
    toBytes(response.body),
    "",
  );
  return unwrap<ResultOf<Id>>(text).ok;
}
