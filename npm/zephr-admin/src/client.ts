// ZephrClient: the host's fetch does the transport; the core decides
// everything else (signing, retries, error classes, the next page).

import type { Core } from "./backend.js";
import {
  headerPairs, isObject, jsonText, type ParamsOf, type PrepareOptions, type PreparedRequest, type ResultOf, text, unwrap,
} from "./core.js";
import {
  ZephrConnectionError, ZephrError, ZephrInputError, ZephrRedirectError, ZephrResponseTooLargeError, ZephrTimeoutError,
} from "./errors.js";
import { NAMESPACES, type NamespaceMethods, type OperationId, type OperationTypes } from "./generated/operations.js";

/** How to reach Zephr and how patiently. */
export interface ClientOptions {
  accessKey: string;
  secretKey: string;
  /** `https://{tenant}.api.zephr.com`. */
  tenant?: string;
  /** Any `http(s)://` base URL (a proxy, the local emulator). */
  baseUrl?: string;
  /** The `fetch` to use [default: `globalThis.fetch`]. */
  fetch?: typeof fetch;
  /** Retries after the first attempt, as the core's policy allows: a whole number, 0 to 10 [default: 2]. */
  maxRetries?: number;
  /** Per attempt, including reading the body: whole milliseconds, 1 to 2^31-1 [default: 30 000]. */
  timeoutMs?: number;
  /** Largest response body read, in bytes, 1 to 2^31-1 [default: 32 MiB]. A longer body ends the
   * call with `ZephrResponseTooLargeError` while it streams in, before it is buffered. */
  maxResponseBytes?: number;
  /** Added to the clock when signing (positive when the local clock is behind). */
  clockOffsetMs?: number;
}

/** Per-call settings. */
export interface RequestOptions {
  /** Cancels the call (no retry after an abort). */
  signal?: AbortSignal;
  timeoutMs?: number;
  maxRetries?: number;
  maxResponseBytes?: number;
}

/** The bounds of the numeric options: whole numbers within these ranges. `timeoutMs` stops at
 * setTimeout's largest delay; more than 10 retries only prolongs an outage. */
const LIMITS = {
  maxRetries: [0, 10],
  timeoutMs: [1, 2 ** 31 - 1],
  maxResponseBytes: [1, 2 ** 31 - 1],
} as const;

type Limits = { [K in keyof typeof LIMITS]: number };

const DEFAULTS: Limits = { maxRetries: 2, timeoutMs: 30_000, maxResponseBytes: 32 * 1024 * 1024 };

/** The numeric options of `options` over `fallback`; out-of-range values are an error naming the option. */
function limits(options: Partial<Record<keyof Limits, unknown>>, fallback: Limits): Limits {
  const out = { ...fallback };
  for (const name of Object.keys(LIMITS) as Array<keyof Limits>) {
    const value = options[name];
    if (value === undefined) continue;
    const [min, max] = LIMITS[name];
    if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
      throw new ZephrInputError("invalid_options", `${name} must be a whole number from ${min} to ${max}`);
    }
    out[name] = value;
  }
  return out;
}

/** Per-call options, checked: an object (or nothing), with an AbortSignal if any. */
function requestOptions(options: unknown): RequestOptions {
  if (options == null) return {};
  if (!isObject(options)) throw new ZephrInputError("invalid_options", "request options must be an object");
  const { signal } = options as RequestOptions;
  if (signal !== undefined && !(isObject(signal) && typeof signal.aborted === "boolean" && typeof signal.addEventListener === "function")) {
    throw new ZephrInputError("invalid_options", "signal must be an AbortSignal");
  }
  return options as RequestOptions;
}

/** The headers as given, after checking that `fetch` can send each one (Latin-1, no controls):
 * a value it refuses is an input error now, not a connection error after retries. */
function sendable(headers: Record<string, string>): Record<string, string> {
  const probe = new Headers();
  for (const [name, value] of Object.entries(headers)) {
    try {
      probe.set(name, value);
    } catch {
      throw new ZephrInputError("invalid_header", `the ${name} header cannot be sent by fetch (only Latin-1 characters, no controls)`);
    }
  }
  return headers;
}

/** The body, read chunk by chunk and refused as soon as it passes `maxBytes`. */
async function readBody(response: Response, maxBytes: number, what: string): Promise<Uint8Array> {
  const tooLarge = () =>
    new ZephrResponseTooLargeError(`the answer to ${what} is longer than maxResponseBytes (${maxBytes})`, maxBytes, response.status);
  const declared = Number(response.headers.get("content-length") ?? 0);
  if (declared > maxBytes) {
    await response.body?.cancel().catch(() => {});
    throw tooLarge();
  }
  if (!response.body) return new Uint8Array(0);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0]!;
  const body = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

/** A decoded answer with the raw `Response` and its request id. */
export interface ApiResponse<T> {
  data: T;
  response: Response;
  requestId: string | undefined;
}

type Args<Id extends OperationId> = {} extends ParamsOf<Id>
  ? [params?: ParamsOf<Id>, options?: RequestOptions]
  : [params: ParamsOf<Id>, options?: RequestOptions];

/** One documented interface per namespace (generated), so editors show each method's docs. */
type Namespaces = NamespaceMethods<RequestOptions>;

/** An element of a list operation's `results`. */
type ItemOf<Id extends OperationId> = ResultOf<Id> extends { results: Array<infer T> } ? T : unknown;

const REQUEST_ID_HEADERS = ["x-request-id", "x-zephr-request-id", "request-id", "x-amzn-requestid", "x-amz-cf-id", "cf-ray"];

class Timeout {}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

export interface ZephrClient extends Namespaces {}

/** A Zephr Admin API client. One namespace per resource group, one method per operation:
 * `await client.users.listSessions({ user_id })`. */
export class ZephrClient {
  readonly #fetch: typeof fetch;
  readonly #limits: Limits;
  readonly #options: string;
  readonly #core: Core;

  /** Internal: each entry point's `ZephrClient` passes its backend. */
  constructor(options: ClientOptions, core: Core) {
    this.#core = core;
    if (!isObject(options)) throw new ZephrInputError("invalid_options", "ZephrClient takes an options object");
    const { fetch: fetchImpl, maxRetries, timeoutMs, maxResponseBytes, ...signing } = options;
    const resolved = fetchImpl ?? globalThis.fetch;
    if (typeof resolved !== "function") {
      throw new ZephrInputError("invalid_options", fetchImpl === undefined ? "no fetch available; pass one as `fetch`" : "fetch must be a function");
    }
    this.#fetch = resolved.bind(globalThis);
    this.#limits = limits({ maxRetries, timeoutMs, maxResponseBytes }, DEFAULTS);
    this.#options = jsonText(signing satisfies PrepareOptions, "options", "invalid_options");
    // Check credentials and target now, not on the first call (in a browser whose
    // wasm module is still loading, on the first call).
    if (core.available()) this.#prepare("listAccounts" as OperationId, "{}");
    for (const [namespace, methods] of Object.entries(NAMESPACES)) {
      const bound: Record<string, unknown> = {};
      for (const [method, operationId] of Object.entries(methods)) {
        bound[method] = (params?: unknown, options?: RequestOptions) =>
          this.request(operationId as OperationId, params as never, options);
      }
      (this as unknown as Record<string, unknown>)[namespace] = bound;
    }
  }

  /** Calls an operation by its operationId. */
  async request<Id extends OperationId>(operationId: Id, ...[params, options]: Args<Id>): Promise<ResultOf<Id>> {
    return (await this.#call(operationId, params, options)).data;
  }

  /** Like `request`, with the raw `Response` and the request id. */
  async requestWithResponse<Id extends OperationId>(
    operationId: Id,
    ...[params, options]: Args<Id>
  ): Promise<ApiResponse<ResultOf<Id>>> {
    const { data, response, requestId } = await this.#call(operationId, params, options);
    return { data, response, requestId };
  }

  /** Every element of a list operation, page after page (`page`/`rpp` operations), for `for await`. */
  async *paginate<Id extends OperationId>(operationId: Id, ...[params, options]: Args<Id>): AsyncGenerator<ItemOf<Id>> {
    let next: unknown = params ?? {};
    while (next) {
      const page = await this.#call(operationId, next as ParamsOf<Id>, options);
      const results = (page.data as { results?: unknown[] } | null)?.results ?? [];
      for (const item of results) yield item as ItemOf<Id>;
      next = page.next;
    }
  }

  #prepare(operationId: OperationId, params: string): PreparedRequest {
    return unwrap<PreparedRequest>(this.#core().prepareRequest(operationId, params, this.#options)).ok;
  }

  async #call<Id extends OperationId>(
    operationId: Id,
    params: ParamsOf<Id> | undefined,
    callOptions: RequestOptions | undefined,
  ): Promise<ApiResponse<ResultOf<Id>> & { next: unknown }> {
    text(operationId, "operationId", "unknown_operation");
    const paramsText = jsonText(params ?? {}, "params", "invalid_param");
    const options = requestOptions(callOptions);
    const bounds = limits(options, this.#limits);
    const { signal } = options;
    await this.#core.ready();
    for (let retries = 0; ; retries++) {
      signal?.throwIfAborted();
      // Signed afresh for every attempt: new timestamp, new nonce.
      const prepared = this.#prepare(operationId, paramsText);
      const attempt = await this.#attempt(prepared, bounds, signal);
      const status = "response" in attempt ? attempt.response.status : 0;
      if ("response" in attempt && attempt.response.ok) {
        return this.#parse(operationId, attempt.response, attempt.body, paramsText);
      }
      const retryAfter = "response" in attempt ? (attempt.response.headers.get("retry-after") ?? "") : "";
      const delay = this.#core().retryDelay(prepared.method, status, retryAfter, retries, Math.random(), Date.now(), bounds.maxRetries);
      if (delay < 0) {
        if ("response" in attempt) return this.#parse(operationId, attempt.response, attempt.body, paramsText);
        throw attempt.error;
      }
      await sleep(delay, signal);
    }
  }

  /** One request. A response, or a transport error to retry or report; thrown (never retried):
   * a redirect, a body over the limit, an abort, an unsendable header. */
  async #attempt(
    prepared: PreparedRequest,
    { timeoutMs, maxResponseBytes }: Limits,
    signal: AbortSignal | undefined,
  ): Promise<{ response: Response; body: Uint8Array } | { error: Error }> {
    const headers = sendable(prepared.headers);
    const what = `${prepared.method} ${prepared.url}`;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Timeout()), timeoutMs);
    const forward = () => controller.abort(signal!.reason);
    signal?.addEventListener("abort", forward, { once: true });
    try {
      const response = await this.#fetch(prepared.url, {
        method: prepared.method,
        headers,
        body: prepared.body ?? undefined,
        signal: controller.signal,
        // Never followed: the signature covers this path on this host only, and a 307/308
        // would re-send the body to wherever the server points.
        redirect: "manual",
      });
      if (response.type === "opaqueredirect" || (response.status >= 300 && response.status < 400)) {
        await response.body?.cancel().catch(() => {});
        const location = response.headers.get("location") ?? undefined;
        throw new ZephrRedirectError(
          `${what} was answered with a redirect (${response.status || "opaque"}${location ? ` to ${location}` : ""}); redirects are not followed`,
          response.status, location, response);
      }
      return { response, body: await readBody(response, maxResponseBytes, what) };
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (error instanceof ZephrError) throw error;
      if (controller.signal.reason instanceof Timeout) {
        return { error: new ZephrTimeoutError(`no answer from ${what} within ${timeoutMs} ms`) };
      }
      return { error: new ZephrConnectionError(`${what} failed: ${String(error)}`, error) };
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener("abort", forward);
    }
  }

  #parse<Id extends OperationId>(
    operationId: Id,
    response: Response,
    body: Uint8Array,
    paramsText: string,
  ): ApiResponse<ResultOf<Id>> & { next: unknown } {
    const text = this.#core().parseResponse(
      operationId,
      response.status,
      JSON.stringify(headerPairs(response.headers)),
      body,
      paramsText,
    );
    const { ok, next } = unwrap<ResultOf<Id>>(text, response);
    const requestId = REQUEST_ID_HEADERS.map((h) => response.headers.get(h)).find((v) => v) ?? undefined;
    return { data: ok, response, requestId, next: next ?? null };
  }
}

export type { OperationTypes };
