// Error classes. The Rust core decides the code; this file only maps codes to classes.

import type { ErrorData } from "./generated/protocol.js";

export type { ErrorCode, ErrorData } from "./generated/protocol.js";

/** What an error class is built from: the core's report (or a subclass's own code). */
type ErrorInput = Omit<ErrorData, "code"> & { code: string };

/** Base class of every error the SDK throws. `code` is stable snake_case. */
export class ZephrError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Input refused before anything was sent (`invalid_nonce`, `missing_param`, ...). */
export class ZephrInputError extends ZephrError {}

/** A non-2xx answer. `status`, `requestId`, `body` (raw text) and `hint` come from the core. */
export class ZephrApiError extends ZephrError {
  readonly status: number;
  readonly requestId: string | undefined;
  readonly body: string;
  readonly hint: string | undefined;
  /** The message the server put in its body, if any. */
  readonly serverMessage: string | undefined;
  /** The raw `Response`, when the error came from `ZephrClient`. */
  readonly response: Response | undefined;
  constructor(data: ErrorInput, response?: Response) {
    super(data.code, data.message);
    this.status = data.status ?? 0;
    this.requestId = data.requestId ?? undefined;
    this.body = data.body ?? "";
    this.hint = data.hint ?? undefined;
    this.serverMessage = data.serverMessage ?? undefined;
    this.response = response;
  }
}

/** 400 `bad_request`. */
export class BadRequestError extends ZephrApiError {}
/** 401 `authentication_failed`: signature, clock or key pair. See `hint`. */
export class AuthenticationError extends ZephrApiError {}
/** 403 `permission_denied`. */
export class PermissionDeniedError extends ZephrApiError {}
/** 404 `not_found`. */
export class NotFoundError extends ZephrApiError {}
/** 409 `conflict`. */
export class ConflictError extends ZephrApiError {}
/** 429 `rate_limited` (after the retries the policy allows). */
export class RateLimitError extends ZephrApiError {}
/** 5xx `server_error` (after the retries the policy allows). */
export class InternalServerError extends ZephrApiError {}

/** A 2xx answer whose body does not decode; `body` holds the raw text. */
export class ZephrDecodeError extends ZephrError {
  readonly status: number;
  readonly body: string;
  readonly response: Response | undefined;
  constructor(data: ErrorInput, response?: Response) {
    super(data.code, data.message);
    this.status = data.status ?? 0;
    this.body = data.body ?? "";
    this.response = response;
  }
}

/** No answer within the timeout (after the retries the policy allows). Code `timed_out`. */
export class ZephrTimeoutError extends ZephrError {
  constructor(message: string) {
    super("timed_out", message);
  }
}

/** No answer at all, after the retries the policy allows. Code `connect_failed` when the
 * connection could not be made (refused, DNS), so the request was certainly not sent (only Node
 * shows this); `transport_error` when it broke and the request may have been sent. */
export class ZephrConnectionError extends ZephrError {
  constructor(message: string, cause: unknown, code: "connect_failed" | "transport_error" = "transport_error") {
    super(code, message, { cause });
  }
}

/** A 3xx answer (code `redirect`, decided by the core's engine). Redirects are never followed: the
 * signature covers one path on one host, and a followed 307/308 would re-send the body elsewhere.
 * `status` is 0 and `location` undefined where the runtime hides them (an `opaqueredirect` response
 * in browsers and workerd). Never retried. */
export class ZephrRedirectError extends ZephrApiError {
  /** The `Location` the server named, if the runtime shows it. */
  readonly location: string | undefined;
  constructor(message: string, status: number, location: string | undefined, response?: Response, requestId?: string) {
    super({ code: "redirect", message, status, requestId }, response);
    this.location = location;
  }
}

/** A response body longer than `maxResponseBytes` (code `body_too_large`): reading stopped at the
 * limit and the connection was dropped, so memory stays bounded. Never retried. */
export class ZephrResponseTooLargeError extends ZephrError {
  /** The limit in bytes that was exceeded. */
  readonly limit: number;
  /** The status of the refused response. */
  readonly status: number;
  constructor(message: string, limit: number, status: number) {
    super("body_too_large", message);
    this.limit = limit;
    this.status = status;
  }
}

const API_CLASSES: Record<string, new (data: ErrorInput, response?: Response) => ZephrApiError> = {
  bad_request: BadRequestError,
  authentication_failed: AuthenticationError,
  permission_denied: PermissionDeniedError,
  not_found: NotFoundError,
  conflict: ConflictError,
  rate_limited: RateLimitError,
  server_error: InternalServerError,
  unexpected_status: ZephrApiError,
};

/** @internal The class for a core error report. */
export function errorFromData(data: ErrorData, response?: Response): ZephrError {
  const api = API_CLASSES[data.code];
  if (api) return new api(data, response);
  if (data.code === "decode_error") return new ZephrDecodeError(data, response);
  if (data.code === "redirect") return new ZephrRedirectError(data.message, data.status ?? 0, data.location, response, data.requestId);
  return new ZephrInputError(data.code, data.message);
}
