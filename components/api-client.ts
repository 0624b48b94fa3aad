// The console's one way to call the API: the same /api/v1 endpoints API-key clients use, with the
// signed-in cookie and the tenant named in X-Burrow-Tenant. Errors become ApiError, carrying the
// API's code, message and failing fields so forms and pages can show them as they are.

export type FieldError = { path: string; message: string };

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly fields: FieldError[];
  readonly details: Record<string, unknown>;
  readonly requestId: string | null;

  constructor(init: { status: number; code: string; message: string; details?: Record<string, unknown>; requestId?: string | null }) {
    super(init.message);
    this.name = "ApiError";
    this.status = init.status;
    this.code = init.code;
    this.details = init.details ?? {};
    this.requestId = init.requestId ?? null;
    const fields = this.details.fields;
    this.fields = Array.isArray(fields) ? fields.filter(isFieldError) : [];
  }

  /** The message for one field, matched by its last path segment ("body.email" → "email"). */
  fieldError(name: string): string | undefined {
    return this.fields.find((f) => f.path.split(".").pop() === name)?.message;
  }

  /** Whether a form showing these fields shows at least one of this error's field messages. */
  showsFieldsOf(names: readonly string[]): boolean {
    return this.fields.some((f) => names.includes(f.path.split(".").pop() ?? ""));
  }
}

/**
 * The error to show above a form's submit button: anything that is not a message next to one of
 * the form's own fields (so no error is ever swallowed).
 */
export function formLevelError(error: unknown, fieldNames: readonly string[]): unknown {
  if (!error) return null;
  return error instanceof ApiError && error.showsFieldsOf(fieldNames) ? null : error;
}

function isFieldError(value: unknown): value is FieldError {
  const v = value as FieldError | null;
  return typeof v?.path === "string" && typeof v?.message === "string";
}

export type ApiRequest = {
  method?: "GET" | "POST" | "PATCH" | "PUT" | "DELETE";
  /** The tenant slug to act in (sent as X-Burrow-Tenant). */
  tenant?: string;
  /** Sent as JSON. */
  body?: unknown;
  query?: Record<string, string | number | undefined | null>;
  signal?: AbortSignal;
};

/** Paths starting with /api/ are used as they are; others are relative to /api/v1. */
export function apiUrl(path: string, query?: ApiRequest["query"]): string {
  const base = path.startsWith("/api/") ? path : `/api/v1${path.startsWith("/") ? "" : "/"}${path}`;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== null && v !== "") params.set(k, String(v));
  const qs = params.toString();
  return qs ? `${base}?${qs}` : base;
}

export async function apiFetch<T>(path: string, req: ApiRequest = {}): Promise<T> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (req.tenant) headers["x-burrow-tenant"] = req.tenant;
  if (req.body !== undefined) headers["content-type"] = "application/json";
  let res: Response;
  try {
    res = await fetch(apiUrl(path, req.query), {
      method: req.method ?? "GET",
      credentials: "same-origin",
      headers,
      body: req.body === undefined ? undefined : JSON.stringify(req.body),
      signal: req.signal,
    });
  } catch (err) {
    if ((err as Error).name === "AbortError") throw err;
    throw new ApiError({ status: 0, code: "network_error", message: "Could not reach the server; check your connection and retry" });
  }
  const text = await res.text();
  const json = parseJson(text);
  if (res.ok) return json as T;
  throw errorFromResponse(res, json);
}

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined; // not JSON: the caller falls back to the status line
  }
}

function errorFromResponse(res: Response, json: unknown): ApiError {
  const shape = json as { error?: { code?: string; message?: string; details?: Record<string, unknown> }; requestId?: string } | undefined;
  return new ApiError({
    status: res.status,
    code: shape?.error?.code ?? `http_${res.status}`,
    message: shape?.error?.message ?? `The server answered ${res.status} ${res.statusText}`.trim(),
    details: shape?.error?.details,
    requestId: shape?.requestId ?? res.headers.get("x-request-id"),
  });
}

export type RawRequest = Omit<ApiRequest, "body"> & { body?: BodyInit; headers?: Record<string, string> };

/**
 * A request whose body or answer is not JSON (file bytes, event streams): the Response as it
 * came when it is 2xx, else the API's error as ApiError, like apiFetch.
 */
export async function apiRaw(path: string, req: RawRequest = {}): Promise<Response> {
  const headers: Record<string, string> = { ...req.headers };
  if (req.tenant) headers["x-burrow-tenant"] = req.tenant;
  let res: Response;
  try {
    res = await fetch(apiUrl(path, req.query), { method: req.method ?? "GET", credentials: "same-origin", headers, body: req.body, signal: req.signal });
  } catch (err) {
    if ((err as Error).name === "AbortError") throw err;
    throw new ApiError({ status: 0, code: "network_error", message: "Could not reach the server; check your connection and retry" });
  }
  if (res.ok) return res;
  throw errorFromResponse(res, parseJson(await res.text()));
}

/** Shorthands bound to one tenant. */
export function tenantApi(tenant: string) {
  return {
    get: <T>(path: string, query?: ApiRequest["query"]) => apiFetch<T>(path, { tenant, query }),
    post: <T>(path: string, body: unknown) => apiFetch<T>(path, { tenant, method: "POST", body }),
    patch: <T>(path: string, body: unknown) => apiFetch<T>(path, { tenant, method: "PATCH", body }),
    put: <T>(path: string, body: unknown) => apiFetch<T>(path, { tenant, method: "PUT", body }),
    del: <T>(path: string) => apiFetch<T>(path, { tenant, method: "DELETE" }),
  };
}

/** A message for any thrown value, for inline errors and toasts. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return "Something went wrong";
}

/**
 * Where to go after sign-in: only a path on this site. An absolute URL (Auth.js sends those) keeps
 * just its path, so a crafted link cannot send people to another site.
 */
export function safeCallbackUrl(value: string | string[] | undefined | null, fallback = "/"): string {
  let v = Array.isArray(value) ? value[0] : value;
  if (!v) return fallback;
  if (/^https?:\/\//i.test(v)) {
    try {
      const url = new URL(v);
      v = `${url.pathname}${url.search}`;
    } catch {
      return fallback;
    }
  }
  if (!v.startsWith("/") || v.startsWith("//") || v.startsWith("/\\")) return fallback;
  return v;
}
