// The functional API: sign, prepare, parse. Thin conversions around the core.

import type { Backend, Core, Preparer } from "./backend.js";
import { ZephrInputError, errorFromData } from "./errors.js";
import type { Descriptor, ErrorData, ParseAnswer } from "./generated/protocol.js";
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
export function unwrap<T>(text: string, response?: Response): { ok: T } {
  const answer = JSON.parse(text) as { ok: T; err?: undefined } | { err: ErrorData };
  if (answer.err) throw errorFromData(answer.err, response);
  return answer as { ok: T };
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/** @internal A fresh nonce: 128 random bits as hex, from the platform's CSPRNG. */
export function randomNonce(): string {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(16));
  let out = "";
  for (const byte of bytes) out += HEX[byte];
  return out;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Whether UTF-8 can carry the string as it is (no lone surrogate, which would become U+FFFD). */
function wellFormed(value: string): boolean {
  const builtIn = (value as { isWellFormed?: () => boolean }).isWellFormed;
  return builtIn ? builtIn.call(value) : !LONE_SURROGATE.test(value);
}

// The JS side of the one rule for hostile input: JS-only types (a number where a string belongs,
// NaN, BigInt, bytes in JSON, lone surrogates) are refused here, because the core never sees
// them as such; values are checked by the core. Messages name the argument, never its value.

/** @internal A string argument: a string of well-formed Unicode, or a `ZephrInputError`. */
export function text(value: unknown, field: string, code: string): string {
  if (typeof value !== "string") throw new ZephrInputError(code, `${field} must be a string`);
  if (!wellFormed(value)) throw new ZephrInputError(code, `${field} holds a lone surrogate (not well-formed Unicode)`);
  return value;
}

/** @internal Whether a value is a non-null object (arrays included). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

/** @internal JSON text of params or options for the core. What `JSON.stringify` would drop or
 * rewrite (NaN, Infinity, BigInt, functions, symbols, bytes as `{"0":..}`, lone surrogates) is
 * refused instead, naming the member. No operation takes a binary body, so bytes are refused too. */
export function jsonText(value: unknown, root: string, code: string): string {
  // Plain data, the common case, needs no checking replacer: `JSON.stringify` is several times
  // faster without one, and the replacer would pass such data through unchanged.
  plainBudget = PLAIN_NODES;
  try {
    if (plainJson(value ?? null, 0)) return JSON.stringify(value ?? null);
  } catch {
    // a throwing getter or proxy: the checked path below reports it
  }
  // A function, not an arrow: `this[key]` is the member before `toJSON` (a Buffer's is an object).
  const replacer = function (this: Record<string, unknown>, key: string, member: unknown): unknown {
    const original = this[key];
    const where = key === "" ? root : `${root}: \`${key}\``;
    switch (typeof member) {
      case "number":
        if (!Number.isFinite(member)) throw new ZephrInputError(code, `${where} must be a finite number`);
        break;
      case "string":
        if (!wellFormed(member)) throw new ZephrInputError(code, `${where} holds a lone surrogate (not well-formed Unicode)`);
        break;
      case "bigint":
      case "function":
      case "symbol":
        throw new ZephrInputError(code, `${where} must be JSON data, not a ${typeof member}`);
      case "object":
        if (ArrayBuffer.isView(original) || original instanceof ArrayBuffer) {
          throw new ZephrInputError(key === "body" ? "invalid_body" : code,
            `${where} is bytes; operations take JSON values (pass the decoded object or a string)`);
        }
    }
    return member;
  };
  try {
    return JSON.stringify(value ?? null, replacer);
  } catch (e) {
    if (e instanceof ZephrInputError) throw e;
    throw new ZephrInputError(code, `${root} is not JSON data (it holds a cycle or a throwing toJSON)`);
  }
}

// How far `plainJson` looks before leaving a value to the checked path: a cycle or a huge value.
const PLAIN_DEPTH = 64;
const PLAIN_NODES = 100_000;
let plainBudget = 0;

/** Whether the checking replacer of `jsonText` would pass the value unchanged: plain objects
 * and arrays without `toJSON`, finite numbers, well-formed strings, booleans and null. */
function plainJson(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case "string":
      return wellFormed(value);
    case "number":
      return Number.isFinite(value);
    case "boolean":
      return true;
    case "object":
      break;
    default:
      return false;
  }
  if (value === null) return true;
  if (depth >= PLAIN_DEPTH || --plainBudget < 0 || typeof (value as { toJSON?: unknown }).toJSON === "function") return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (!plainJson(value[i], depth + 1)) return false;
    return true;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  for (const key of Object.keys(value)) {
    if (!plainJson((value as Record<string, unknown>)[key], depth + 1)) return false;
  }
  return true;
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
  if (!isObject(input)) throw new ZephrInputError("invalid_options", "signRequest takes an object of parts");
  const { accessKey, secretKey, method, path, query, body, timestamp, nonce } = input;
  if (typeof timestamp !== "number" && typeof timestamp !== "string") {
    throw new ZephrInputError("invalid_timestamp", "timestamp must be milliseconds as a number or a decimal string");
  }
  const ak = text(accessKey, "accessKey", "invalid_access_key");
  const sk = text(secretKey, "secretKey", "invalid_secret_key");
  const m = text(method, "method", "invalid_method");
  const p = text(path, "path", "invalid_path");
  const q = text(query ?? "", "query", "invalid_query");
  const backend = core();
  // A text body goes as text where the backend reads it straight into its own buffer.
  const asText = typeof body === "string" && backend.signRequestText !== undefined;
  const bytes = asText ? undefined : transientBytes(body);
  const ts = String(timestamp);
  const n = text(nonce, "nonce", "invalid_nonce");
  try {
    return bytes === undefined
      ? backend.signRequestText!(ak, sk, m, p, q, body as string, ts, n)
      : backend.signRequest(ak, sk, m, p, q, bytes, ts, n);
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
  /** Signing time [default: `Date.now()`]. */
  timestamp?: Timestamp;
  /** Nonce [default: 128 random bits from `crypto.getRandomValues`]. */
  nonce?: string;
  /** Added to the clock when signing (positive when the local clock is behind). */
  clockOffsetMs?: number;
}

/** A signed request, ready for `fetch(url, { method, headers, body })`. */
export type PreparedRequest = Descriptor;

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
  const id = text(operationId, "operationId", "unknown_operation");
  const paramsText = jsonText(params ?? {}, "params", "invalid_param");
  const backend = core();
  if (!isObject(options) || Array.isArray(options)) {
    return unwrap<PreparedRequest>(backend.prepareRequest(id, paramsText, jsonText(options, "options", "invalid_options"))).ok;
  }
  // The core reads no clock and draws no randomness: time and nonce come from here.
  const withDefaults = { ...options, timestamp: options.timestamp ?? Date.now(), nonce: options.nonce ?? randomNonce() };
  const plain = plainOptions(withDefaults);
  const preparer = plain && preparerFor(backend, plain);
  if (!preparer) {
    // Anything unusual in the options: the JSON path, which reports what is wrong with them.
    return unwrap<PreparedRequest>(backend.prepareRequest(id, paramsText, jsonText(withDefaults, "options", "invalid_options"))).ok;
  }
  try {
    return descriptorFromLines(preparer.prepare(id, paramsText, plain.timestamp, plain.nonce));
  } catch (e) {
    if (typeof e === "string") unwrap(e);
    throw e;
  }
}

/** The options of `prepareRequest` when they hold nothing but strings and finite numbers where
 * they belong: then they need no JSON text, and the client parts need no parsing per call. */
interface PlainOptions {
  accessKey: string;
  secretKey: string;
  tenant: string | undefined;
  baseUrl: string | undefined;
  clockOffsetMs: number | undefined;
  timestamp: number;
  nonce: string;
}

/** The options as `PlainOptions`, or `undefined` for the JSON path (which says what is wrong). */
function plainOptions(options: Record<string, unknown>): PlainOptions | undefined {
  const { accessKey, secretKey, tenant, baseUrl, clockOffsetMs, timestamp, nonce } = options;
  // Other members (checked by the JSON path), and values the JSON path would refuse or convert.
  if (Object.keys(options).length !== KNOWN_OPTIONS + (tenant === undefined ? 0 : 1) + (baseUrl === undefined ? 0 : 1)
    + (clockOffsetMs === undefined ? 0 : 1)) return undefined;
  if (typeof accessKey !== "string" || typeof secretKey !== "string" || typeof nonce !== "string" || !wellFormed(nonce)) return undefined;
  if ((tenant !== undefined && typeof tenant !== "string") || (baseUrl !== undefined && typeof baseUrl !== "string")) return undefined;
  if (clockOffsetMs !== undefined && !Number.isFinite(clockOffsetMs)) return undefined;
  // Decimal strings, and numbers past 2^53 or non-finite, are read (or refused) by the JSON path.
  if (typeof timestamp !== "number" || !(Math.abs(timestamp) <= Number.MAX_SAFE_INTEGER)) return undefined;
  return { accessKey, secretKey, tenant, baseUrl, clockOffsetMs: clockOffsetMs as number | undefined, timestamp, nonce };
}

// accessKey, secretKey, timestamp, nonce: always present in the options with their defaults.
const KNOWN_OPTIONS = 4;

// The last client `prepareRequest` made, reused while the client parts of the options are the same.
let last: { backend: Backend; options: PlainOptions; preparer: Preparer } | undefined;

/** The client for these options: the last one when its parts are the same, else a new one
 * (`undefined` when a part is not well-formed Unicode: the JSON path names it). */
function preparerFor(backend: Backend, options: PlainOptions): Preparer | undefined {
  const { accessKey, secretKey, tenant, baseUrl, clockOffsetMs } = options;
  if (last && last.backend === backend && last.options.accessKey === accessKey && last.options.secretKey === secretKey
    && last.options.tenant === tenant && last.options.baseUrl === baseUrl && last.options.clockOffsetMs === clockOffsetMs) {
    return last.preparer;
  }
  if (!wellFormed(accessKey) || !wellFormed(secretKey) || (tenant !== undefined && !wellFormed(tenant))
    || (baseUrl !== undefined && !wellFormed(baseUrl))) return undefined;
  const preparer = new backend.Preparer(accessKey, secretKey, tenant, baseUrl, clockOffsetMs);
  last?.preparer.free?.();
  last = { backend, options, preparer };
  return preparer;
}

/** @internal A descriptor from its lines (see `Preparer.prepare`): only the body, last, can hold
 * a line break. (`split` is about three times faster here than walking with `indexOf`.) */
export function descriptorFromLines(lines: string): PreparedRequest {
  const parts = lines.split("\n");
  const headers: Record<string, string> = {};
  let i = 2;
  for (; i < parts.length && parts[i] !== ""; i += 2) {
    const [name, value] = [parts[i], parts[i + 1] ?? ""];
    // A plain assignment to `__proto__` would set the prototype; JSON.parse makes a member.
    if (name === "__proto__") Object.defineProperty(headers, name, { value, enumerable: true, writable: true, configurable: true });
    else headers[name] = value;
  }
  const body = i + 2 === parts.length ? parts[i + 1] : parts.slice(i + 1).join("\n");
  return { method: parts[0], url: parts[1], headers, body: body === "" ? null : body };
}

/** A received response, in any of the shapes hosts have at hand. */
export interface ResponseInput {
  status: number;
  headers?: Headers | Record<string, string> | Array<[string, string]>;
  body?: BodyInput;
}

/** @internal */
export function headerPairs(headers: ResponseInput["headers"]): Array<[string, string]> {
  if (headers == null) return [];
  if (typeof headers !== "object") throw new ZephrInputError("invalid_param", "headers must be Headers, a record or [name, value] pairs");
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
  const id = text(operationId, "operationId", "unknown_operation");
  if (!isObject(response)) throw new ZephrInputError("invalid_param", "response must be an object with a status");
  const answer = core().parseResponse(
    id,
    // The core checks the range; a non-number is NaN, which it refuses the same way.
    typeof response.status === "number" ? response.status : NaN,
    jsonText(headerPairs(response.headers), "headers", "invalid_param"),
    toBytes(response.body),
  );
  const parsed = JSON.parse(answer) as ParseAnswer;
  if (parsed.err) throw errorFromData(parsed.err);
  return parsed.ok as ResultOf<Id>;
}
