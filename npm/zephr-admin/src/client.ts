// ZephrClient: the host's fetch does the transport; the core decides
// everything else (signing, retries, error classes, the next page).

import type { Core } from "./backend.js";
import { headerPairs, type ParamsOf, type PrepareOptions, type PreparedRequest, type ResultOf, unwrap } from "./core.js";
import { ZephrConnectionError, ZephrTimeoutError } from "./errors.js";
import { NAMESPACES, type OperationId, type OperationTypes } from "./generated/operations.js";

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
  /** Retries after the first attempt, as the core's policy allows [default: 2]. */
  maxRetries?: number;
  /** Per attempt, including reading the body [default: 30 000 ms]. */
  timeoutMs?: number;
  /** Added to the clock when signing (positive when the local clock is behind). */
  clockOffsetMs?: number;
}

/** Per-call settings. */
export interface RequestOptions {
  /** Cancels the call (no retry after an abort). */
  signal?: AbortSignal;
  timeoutMs?: number;
  maxRetries?: number;
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

type Namespaces = {
  [NS in keyof typeof NAMESPACES]: {
    [M in keyof (typeof NAMESPACES)[NS]]: (typeof NAMESPACES)[NS][M] extends infer Id extends OperationId
      ? (...args: Args<Id>) => Promise<ResultOf<Id>>
      : never;
  };
};

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
  readonly #maxRetries: number;
  readonly #timeoutMs: number;
  readonly #options: string;
  readonly #core: Core;

  /** Internal: each entry point's `ZephrClient` passes its backend. */
  constructor(options: ClientOptions, core: Core) {
    this.#core = core;
    const { fetch: fetchImpl, maxRetries, timeoutMs, ...signing } = options;
    const resolved = fetchImpl ?? globalThis.fetch;
    if (typeof resolved !== "function") throw new TypeError("zephr-admin: no fetch available; pass one as `fetch`");
    this.#fetch = resolved.bind(globalThis);
    this.#maxRetries = maxRetries ?? 2;
    this.#timeoutMs = timeoutMs ?? 30_000;
    this.#options = JSON.stringify(signing satisfies PrepareOptions);
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
    options: RequestOptions = {},
  ): Promise<ApiResponse<ResultOf<Id>> & { next: unknown }> {
    const paramsText = JSON.stringify(params ?? {});
    const maxRetries = options.maxRetries ?? this.#maxRetries;
    const timeoutMs = options.timeoutMs ?? this.#timeoutMs;
    const { signal } = options;
    await this.#core.ready();
    for (let retries = 0; ; retries++) {
      signal?.throwIfAborted();
      // Signed afresh for every attempt: new timestamp, new nonce.
      const prepared = this.#prepare(operationId, paramsText);
      const attempt = await this.#attempt(prepared, timeoutMs, signal);
      const status = "response" in attempt ? attempt.response.status : 0;
      if ("response" in attempt && attempt.response.ok) {
        return this.#parse(operationId, attempt.response, attempt.body, paramsText);
      }
      const retryAfter = "response" in attempt ? (attempt.response.headers.get("retry-after") ?? "") : "";
      const delay = this.#core().retryDelay(prepared.method, status, retryAfter, retries, Math.random(), Date.now(), maxRetries);
      if (delay < 0) {
        if ("response" in attempt) return this.#parse(operationId, attempt.response, attempt.body, paramsText);
        throw attempt.error;
      }
      await sleep(delay, signal);
    }
  }

  async #attempt(
    prepared: PreparedRequest,
    timeoutMs: number,
    signal: AbortSignal | undefined,
  ): Promise<{ response: Response; body: Uint8Array } | { error: Error }> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Timeout()), timeoutMs);
    const forward = () => controller.abort(signal!.reason);
    signal?.addEventListener("abort", forward, { once: true });
    try {
      const response = await this.#fetch(prepared.url, {
        method: prepared.method,
        headers: prepared.headers,
        body: prepared.body ?? undefined,
        signal: controller.signal,
      });
      const body = new Uint8Array(await response.arrayBuffer());
      return { response, body };
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (controller.signal.reason instanceof Timeout) {
        return { error: new ZephrTimeoutError(`no answer from ${prepared.method} ${prepared.url} within ${timeoutMs} ms`) };
      }
      return { error: new ZephrConnectionError(`${prepared.method} ${prepared.url} failed: ${String(error)}`, error) };
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
