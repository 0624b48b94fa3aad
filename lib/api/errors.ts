// One error type for the whole API. Domain code throws AppError; the route wrapper turns it into
// `{"error": {code, message, details}, "requestId"}` with the status from STATUS_BY_CODE.
export const STATUS_BY_CODE = {
  invalid_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  /** A method no route serves (e.g. TRACE), answered by scripts/web-server.ts before Next. */
  method_not_allowed: 405,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  quota_exceeded: 429,
  /** The tenant's or the API key's monthly spend limit is reached (lib/billing). */
  spend_limit_reached: 402,
  internal: 500,
  unavailable: 503,
} as const;

export type ErrorCode = keyof typeof STATUS_BY_CODE;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details?: Record<string, unknown>;
  readonly headers?: Record<string, string>;

  constructor(code: ErrorCode, message: string, opts: { details?: Record<string, unknown>; headers?: Record<string, string> } = {}) {
    super(message);
    this.name = "AppError";
    this.code = code;
    this.details = opts.details;
    this.headers = opts.headers;
  }

  get status(): number {
    return STATUS_BY_CODE[this.code];
  }
}

/** The documented error body: `{"error": {code, message, details?}, "requestId"}`. */
export function errorBody(error: AppError, requestId: string) {
  return { error: { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) }, requestId };
}

export const notFound = (what: string) => new AppError("not_found", `${what} not found`);

const UNAVAILABLE_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "57P01", "57P02", "57P03", "08000", "08001", "08003", "08006", "P1001", "P1002", "P1017"]);
const UNAVAILABLE_MESSAGES = /ECONNREFUSED|ECONNRESET|Connection terminated|timeout exceeded when trying to connect|Can't reach database|the database system is (starting up|shutting down)|terminating connection/i;

/** True when an error means the database cannot be reached (as opposed to a bad query). */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e = err as { code?: unknown; message?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (typeof e.code === "string" && UNAVAILABLE_CODES.has(e.code)) return true;
    if (typeof e.message === "string" && UNAVAILABLE_MESSAGES.test(e.message)) return true;
  }
  return false;
}

// Overload rather than outage: a transaction that could not start (or ran out its time) while
// queued for a connection or a lock (Prisma P2028), a lock wait cut short (55P03), Postgres out
// of connection slots (53300). The caller should retry shortly; it is never the caller's fault.
const BUSY_CODES = new Set(["P2028", "55P03", "53300"]);
const BUSY_MESSAGES = /Unable to start a transaction in the given time|expired transaction|too many clients already/i;

/** True when an error means the database is overloaded right now (answer 503 + Retry-After, never 500). */
export function isDatabaseBusy(err: unknown): boolean {
  for (let e = err as { code?: unknown; message?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (typeof e.code === "string" && BUSY_CODES.has(e.code)) return true;
    if (typeof e.message === "string" && BUSY_MESSAGES.test(e.message)) return true;
  }
  return false;
}

/** The 503 (with Retry-After) for a database that is down or overloaded; null for any other error. */
export function databaseErrorAsAppError(err: unknown): AppError | null {
  if (isDatabaseUnavailable(err)) return new AppError("unavailable", "The database is unavailable; retry shortly", { headers: { "Retry-After": "5" } });
  if (isDatabaseBusy(err)) return new AppError("unavailable", "The service is busy; retry shortly", { headers: { "Retry-After": "2" } });
  return null;
}

/** Unique-constraint violation from Prisma (P2002) or Postgres (23505). */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; cause?: { code?: string; originalCode?: string } } | undefined;
  return e?.code === "P2002" || e?.code === "23505" || e?.cause?.originalCode === "23505";
}
