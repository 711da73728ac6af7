// ZephrClient: a small pump over the core's call engine. The engine decides everything
// (signing each attempt, retries and their delays, error classes, the next page); this file
// only does what needs the platform: fetch (no redirects, a streaming size limit, timeouts,
// abort), setTimeout for waits, crypto.getRandomValues for nonces, Math.random for jitter.

import type { CallHandle, ClientHandle, Core } from "./backend.js";
import { headerPairs, isObject, jsonText, type ParamsOf, type PreparedRequest, type ResultOf, randomNonce, text } from "./core.js";
import {
  ZephrConnectionError, ZephrError, ZephrInputError, ZephrResponseTooLargeError, ZephrTimeoutError, errorFromData,
} from "./errors.js";
import { NAMESPACES, type NamespaceMethods, type OperationId, type OperationTypes } from "./generated/operations.js";
import {
  type Answer, type CallSettings, type ErrorData, FAILURE_CODES, type Failure, type FailureCode, type OutcomeMessage,
  type RetryMessage, type StepMessage,
} from "./generated/protocol.js";

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
  /** Largest response body read, in bytes, 1 to 2^31-1 [default: the core's, 64 MiB]. A longer body
   * ends the call with `ZephrResponseTooLargeError` while it streams in, before it is buffered. */
  maxResponseBytes?: number;
  /** Added to the clock when signing (positive when the local clock is behind). */
  clockOffsetMs?: number;
  /** Headers sent with every request. The ones the SDK sets (`authorization`, `content-type`,
   * `accept`, `user-agent`, ...) are refused with `invalid_header`. */
  defaultHeaders?: Record<string, string>;
  /** Called before each attempt is sent. A hook that throws ends the call with its error. */
  onRequest?: (event: RequestEvent) => void;
  /** Called when an attempt gets a response (any status), before the core reads it. */
  onResponse?: (event: ResponseEvent) => void;
  /** Called when the core decides to retry, with the wait before the next attempt. */
  onRetry?: (event: RetryEvent) => void;
}

/** An attempt about to be sent. `headers` never holds `authorization` (nor the secret key). */
export interface RequestEvent {
  operationId: string;
  /** 1 for the first attempt of a call (or of a page). */
  attempt: number;
  method: string;
  url: string;
  headers: Record<string, string>;
}

/** A response to an attempt. */
export interface ResponseEvent {
  operationId: string;
  attempt: number;
  method: string;
  url: string;
  status: number;
  /** The time from sending to the response headers, in milliseconds. */
  durationMs: number;
}

/** A retry the core decided. */
export interface RetryEvent {
  operationId: string;
  /** The attempt that failed. */
  attempt: number;
  /** Its status, or `null` when no response arrived. */
  status: number | null;
  /** `timed_out`, `transport_error`, ... when no response arrived, else `null`. */
  failure: FailureCode | null;
  /** The wait before the next attempt. */
  waitMs: number;
}

type Hooks = Pick<ClientOptions, "onRequest" | "onResponse" | "onRetry">;

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

/** The timeout is the client's; the retry count and the size limit default to the core's. */
type Limits = { timeoutMs: number; maxRetries?: number; maxResponseBytes?: number };

const DEFAULTS: Limits = { timeoutMs: 30_000 };

/** The numeric options of `options` over `fallback`; out-of-range values are an error naming the option. */
function limits(options: Partial<Record<keyof Limits, unknown>>, fallback: Limits): Limits {
  const out = { ...fallback };
  for (const name of Object.keys(LIMITS) as Array<keyof typeof LIMITS>) {
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

/** An attempt's result: a response with its body, or a failure to report (with the error to
 * throw should the core end the call on it as a transport error, and the opaque response of an
 * `opaqueredirect`). */
type Attempt =
  | { response: Response; body: Uint8Array }
  | { failure: Failure; error?: ZephrError; response?: Response };

/** The hooks' view of a request: everything but the signature. */
function visibleHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (name.toLowerCase() !== "authorization") out[name] = value;
  return out;
}

export interface ZephrClient extends Namespaces {}

/** A Zephr Admin API client. One namespace per resource group, one method per operation:
 * `await client.users.listSessions({ user_id })`. */
export class ZephrClient {
  readonly #fetch: typeof fetch;
  readonly #limits: Limits;
  readonly #options: string;
  readonly #hooks: Hooks;
  readonly #core: Core;
  #handle: ClientHandle | undefined;

  /** Internal: each entry point's `ZephrClient` passes its backend. */
  constructor(options: ClientOptions, core: Core) {
    this.#core = core;
    if (!isObject(options)) throw new ZephrInputError("invalid_options", "ZephrClient takes an options object");
    const { fetch: fetchImpl, maxRetries, timeoutMs, maxResponseBytes, onRequest, onResponse, onRetry, ...signing } = options;
    const resolved = fetchImpl ?? globalThis.fetch;
    if (typeof resolved !== "function") {
      throw new ZephrInputError("invalid_options", fetchImpl === undefined ? "no fetch available; pass one as `fetch`" : "fetch must be a function");
    }
    for (const [name, hook] of Object.entries({ onRequest, onResponse, onRetry })) {
      if (hook !== undefined && typeof hook !== "function") throw new ZephrInputError("invalid_options", `${name} must be a function`);
    }
    this.#hooks = { onRequest, onResponse, onRetry };
    this.#fetch = resolved.bind(globalThis);
    this.#limits = limits({ maxRetries, timeoutMs, maxResponseBytes }, DEFAULTS);
    this.#options = jsonText(signing, "options", "invalid_options");
    // Check credentials, target and default headers now, not on the first call (in a browser
    // whose wasm module is still loading, on the first call).
    if (core.available()) this.#client();
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
    return (await this.requestWithResponse(operationId, ...([params, options] as Args<Id>))).data;
  }

  /** Like `request`, with the raw `Response` and the request id. */
  async requestWithResponse<Id extends OperationId>(
    operationId: Id,
    ...[params, options]: Args<Id>
  ): Promise<ApiResponse<ResultOf<Id>>> {
    for await (const output of this.#pump(operationId, params, options, false)) {
      return output as ApiResponse<ResultOf<Id>>;
    }
    throw new ZephrError("no_output", `${operationId} ended without an answer`);
  }

  /** Every element of a list operation, page after page (`page`/`rpp` operations), for `for await`. */
  async *paginate<Id extends OperationId>(operationId: Id, ...[params, options]: Args<Id>): AsyncGenerator<ItemOf<Id>> {
    for await (const page of this.#pump(operationId, params, options, true)) {
      const results = (page.data as { results?: unknown[] } | null)?.results ?? [];
      for (const item of results) yield item as ItemOf<Id>;
    }
  }

  /** The client in the core, made once; invalid options throw their typed error. */
  #client(): ClientHandle {
    if (!this.#handle) {
      const handle = new (this.#core().ClientHandle)(this.#options);
      const error = handle.error();
      if (error) throw errorFromData((JSON.parse(error) as { err: ErrorData }).err);
      this.#handle = handle;
    }
    return this.#handle;
  }

  /** Pumps one call: each output is an answer (one, or one per page). */
  async *#pump(
    operationId: OperationId,
    params: unknown,
    callOptions: RequestOptions | undefined,
    paginate: boolean,
  ): AsyncGenerator<ApiResponse<unknown>> {
    text(operationId, "operationId", "unknown_operation");
    const paramsText = jsonText(params ?? {}, "params", "invalid_param");
    const options = requestOptions(callOptions);
    const { timeoutMs, ...bounds } = limits(options, this.#limits);
    const { signal } = options;
    await this.#core.ready();
    const settings: CallSettings = { ...bounds, paginate };
    const call = this.#client().call(operationId, paramsText, JSON.stringify(settings));
    let last: Attempt | undefined;
    let attempt = 0;
    try {
      for (;;) {
        signal?.throwIfAborted();
        const step = JSON.parse(call.poll(Date.now(), randomNonce())) as StepMessage;
        switch (step.step) {
          case "send":
            attempt++;
            last = await this.#send(call, operationId, attempt, step.request, timeoutMs, signal);
            break;
          case "wait":
            await sleep(step.ms, signal);
            break;
          case "output":
            attempt = 0;
            yield { data: step.ok, requestId: step.requestId ?? undefined, response: (last as { response: Response }).response };
            break;
          case "error":
            // A transport failure ends as the error this client built for it (with its cause).
            if (last && "failure" in last && last.error && isFailureCode(step.err.code)) throw last.error;
            throw errorFromData(step.err, last?.response);
          case "finished":
            return;
        }
      }
    } finally {
      call.free?.();
    }
  }

  /** Sends one attempt and reports its outcome to the engine. */
  async #send(
    call: CallHandle,
    operationId: string,
    attempt: number,
    prepared: PreparedRequest,
    timeoutMs: number,
    signal: AbortSignal | undefined,
  ): Promise<Attempt> {
    const { onRequest, onResponse, onRetry } = this.#hooks;
    const { method, url } = prepared;
    onRequest?.({ operationId, attempt, method, url, headers: visibleHeaders(prepared.headers) });
    const started = Date.now();
    const result = await this.#attempt(prepared, timeoutMs, call.maxResponseBytes(), signal, (status) =>
      onResponse?.({ operationId, attempt, method, url, status, durationMs: Date.now() - started }));
    const outcome: OutcomeMessage = "body" in result
      ? { response: { status: result.response.status, headers: headerPairs(result.response.headers) } }
      : { failure: { kind: result.failure, message: result.error?.message ?? result.failure } };
    const body = "body" in result ? result.body : new Uint8Array(0);
    const answer = JSON.parse(call.handle(JSON.stringify(outcome), body, Date.now(), Math.random())) as Answer<RetryMessage | null>;
    if (answer.err) throw errorFromData(answer.err);
    if (answer.ok) onRetry?.({ operationId, ...answer.ok });
    return result;
  }

  /** One request: a response with its body, or a failure for the engine to judge (a 3xx
   * included: the engine ends the call on it). Thrown (the call ends): an abort, an unsendable
   * header. */
  async #attempt(
    prepared: PreparedRequest,
    timeoutMs: number,
    maxResponseBytes: number,
    signal: AbortSignal | undefined,
    responded: (status: number) => void,
  ): Promise<Attempt> {
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
      responded(response.status);
      if (response.type === "opaqueredirect") {
        // A redirect the runtime hides (status 0): the engine ends the call with a redirect error.
        await response.body?.cancel().catch(() => {});
        return { failure: "opaqueRedirect", response };
      }
      return { response, body: await readBody(response, maxResponseBytes, what) };
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (error instanceof ZephrResponseTooLargeError) return { failure: "bodyTooLarge", error };
      if (error instanceof ZephrError) throw error;
      if (controller.signal.reason instanceof Timeout) {
        return { failure: "timedOut", error: new ZephrTimeoutError(`no answer from ${what} within ${timeoutMs} ms`) };
      }
      const message = `${what} failed: ${String(error)}`;
      if (neverSent(error)) return { failure: "connect", error: new ZephrConnectionError(message, error, "connect_failed") };
      // Otherwise the request may have been sent: the engine retries it only when the method
      // is idempotent.
      return { failure: "interrupted", error: new ZephrConnectionError(message, error) };
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener("abort", forward);
    }
  }
}

/** The system errors of a connection that was never made, as Node's fetch reports them in
 * `cause.code`. Other runtimes give no cause: their failures count as possibly sent. */
const NEVER_SENT = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "UND_ERR_CONNECT_TIMEOUT"]);

function neverSent(error: unknown): boolean {
  const cause = (error as { cause?: { code?: unknown } } | null)?.cause;
  return typeof cause?.code === "string" && NEVER_SENT.has(cause.code);
}

function isFailureCode(code: string): code is FailureCode {
  return (FAILURE_CODES as readonly string[]).includes(code);
}

export type { OperationTypes };
