// The one wrapper every /api/v1 route handler goes through: request id, authentication (API key or
// console cookie), scope check, rate limit, body/query/param validation (with the limits of input-limits.ts), Idempotency-Key, and the mapping
// of every error to the JSON error shape. Handlers only call the domain and return data.
import type { z } from "zod";
import type { TenantContext, UserContext } from "../auth/context";
import { authenticateRequest, tenantContextFor, userContextFor, type Credentials, type RequestMeta } from "../auth/resolve-caller";
import { hasScopes } from "../auth/scopes";
import { env } from "../env";
import { newId } from "../ids";
import type { AuthMode, Endpoint } from "./endpoint";
import { responseMismatch } from "./check-response";
import { clientIp } from "./client-ip";
import { AppError, databaseErrorAsAppError, errorBody } from "./errors";
import { withIdempotency } from "./idempotency";
import { spoolRawBody } from "./idempotent-body";
import { assertSafeStrings } from "./input-limits";
import { RateLimiter } from "./rate-limit";
import { parseOrThrow, queryObject, readJsonBody } from "./read-body";
import { describeCaller, tracedRoute } from "../telemetry/trace-request";

type Infer<S> = S extends z.ZodType ? z.infer<S> : undefined;

type Args<B, Q> = {
  req: Request;
  body: Infer<B>;
  query: Infer<Q>;
  params: Record<string, string>;
};

/** What a handler may return for the response schema R: its input type, with Date wherever the JSON
 *  has a string (JSON.stringify writes it as one), or a Response it built itself (a stream, bytes). */
type Wire<T> = T extends string ? (string extends T ? string | Date : T)
  : T extends readonly (infer E)[] ? readonly Wire<E>[]
  : T extends Date ? T
  : T extends object ? { [K in keyof T]: Wire<T[K]> }
  : T;
type Reply<R> = R extends z.ZodType ? Wire<z.input<R>> | Response : unknown;
type Handler<B, Q, C, R = unknown> = (args: Args<B, Q> & { ctx: C }) => Promise<Reply<R>>;
type RouteContext = { params: Promise<Record<string, string | string[]>> };

// On globalThis: the production server runs some routes outside Next's bundle (scripts/web-server.ts),
// and a caller's budget is one per process, whichever copy of this module serves the request.
const limiterHolder = globalThis as unknown as { burrowApiRateLimiter?: RateLimiter };
const limiter = (limiterHolder.burrowApiRateLimiter ??= new RateLimiter(env.API_RATE_LIMIT_PER_MINUTE));

type ContextFor<A extends AuthMode> = A extends "user" ? UserContext : A extends "none" ? RequestMeta : TenantContext;

export function withApi<B extends z.ZodType | undefined, Q extends z.ZodType | undefined, A extends AuthMode, R extends z.ZodType | undefined>(
  endpoint: Endpoint<B, Q, A, R>,
  handler: Handler<B, Q, ContextFor<A>, R>,
): (req: Request, route: RouteContext) => Promise<Response>;
export function withApi(endpoint: Endpoint, handler: Handler<unknown, unknown, never>) {
  return tracedRoute(endpoint, async (req: Request, route: RouteContext, span): Promise<Response> => {
    const requestId = req.headers.get("x-request-id")?.slice(0, 64) || newId("req");
    const headers = new Headers({ "x-request-id": requestId, "cache-control": "no-store" });
    try {
      const meta = { ip: clientIp(req), requestId };
      const url = new URL(req.url);
      const mode = endpoint.auth ?? "tenant";
      const creds = mode === "none" ? null : await authenticateRequest(req);
      if (creds) applyRateLimit(creds, headers);
      const ctx =
        mode === "tenant" ? await tenantContextFor(creds!, req, meta)
        : mode === "user" ? userContextFor(creds!, meta)
        : meta;
      if (mode === "tenant") describeCaller(span, ctx as TenantContext);
      if (mode === "tenant" && endpoint.scopes?.length && !hasScopes((ctx as TenantContext).scopes, endpoint.scopes)) {
        throw new AppError("forbidden", `This needs the scope(s): ${endpoint.scopes.join(", ")}`, {
          details: { requiredScopes: endpoint.scopes },
        });
      }
      const params = await flatParams(route);
      assertSafeStrings(params, "params");
      const query = endpoint.query ? parseOrThrow(endpoint.query, queryObject(url), "query") : undefined;
      const parsedBody = endpoint.body ? await readJsonBody(req, env.API_MAX_BODY_BYTES) : undefined;
      const body = endpoint.body ? parseOrThrow(endpoint.body, parsedBody!.value, "body") : undefined;
      const status = endpoint.status ?? 200;
      const run = async (request = req) => {
        const answer = await handler({ req: request, body: body as never, query: query as never, params, ctx: ctx as never });
        if (CHECK_RESPONSES) assertDocumentedAnswer(endpoint, status, answer);
        return { status, body: answer };
      };

      const idempotencyKey = req.headers.get("idempotency-key");
      if ((req.method === "POST" || req.method === "PUT") && idempotencyKey !== null && mode === "tenant") {
        // A stream cannot be stored for replay (before, this was a 500 after the work had started).
        if (req.headers.get("accept")?.includes("text/event-stream")) {
          throw new AppError("invalid_request", "An Idempotency-Key needs a JSON answer to replay: leave out the key or 'Accept: text/event-stream'");
        }
        // A raw body (upload, import) is part of the fingerprint too: hashed while spooled to disk.
        const spooled = endpoint.rawBody ? await spoolRawBody(req, endpoint.rawBody.maxBytes) : null;
        try {
          const answer = await withIdempotency(ctx as TenantContext, idempotencyKey, {
            method: req.method,
            path: url.pathname + url.search,
            rawBody: spooled?.digest ?? parsedBody?.raw ?? "",
          }, () => run(spooled?.request));
          if (answer.replayed) headers.set("idempotent-replayed", "true");
          return json(answer.status, answer.body, headers);
        } finally {
          await spooled?.remove();
        }
      }
      const answer = await run();
      // Streams and raw bytes: the handler built the Response itself.
      if (answer.body instanceof Response) {
        const raw = answer.body;
        // A header the handler set itself wins (an event stream's Cache-Control: no-transform keeps
        // the server's gzip, and its per-client zlib state, off the stream).
        headers.forEach((v, k) => {
          if (!raw.headers.has(k)) raw.headers.set(k, v);
        });
        return raw;
      }
      return json(answer.status, answer.body, headers);
    } catch (err) {
      return errorResponse(err, requestId, headers);
    }
  });
}

/** Never in production: there a drifted answer still goes out rather than failing the request. */
const CHECK_RESPONSES = env.NODE_ENV !== "production";

function assertDocumentedAnswer(endpoint: Endpoint, status: number, answer: unknown) {
  if (answer instanceof Response || (status === 204 && answer === undefined)) return;
  const problem = endpoint.response
    ? responseMismatch(endpoint.response, answer)
    : "the endpoint declares no response schema but the handler returned JSON";
  if (!problem) return;
  console.error(`[response check] ${endpoint.method} ${endpoint.path}: ${problem}`);
  throw new AppError("internal", `The answer of ${endpoint.method} ${endpoint.path} does not match its response schema (checked outside production): ${problem}`);
}

function applyRateLimit(creds: Credentials, headers: Headers) {
  const decision = limiter.take(creds.kind === "key" ? creds.keyId : creds.userId);
  headers.set("x-ratelimit-limit", String(decision.limit));
  headers.set("x-ratelimit-remaining", String(decision.remaining));
  if (!decision.allowed) {
    throw new AppError("rate_limited", "Too many requests; slow down", {
      details: { limit: decision.limit, windowSeconds: 60 },
      headers: { "Retry-After": String(decision.retryAfterSeconds) },
    });
  }
}

async function flatParams(route: RouteContext | undefined): Promise<Record<string, string>> {
  const raw = route?.params ? await route.params : {};
  return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, Array.isArray(v) ? v.join("/") : v]));
}

function json(status: number, body: unknown, headers: Headers): Response {
  if (status === 204) return new Response(null, { status, headers });
  headers.set("content-type", "application/json; charset=utf-8");
  return new Response(JSON.stringify(body), { status, headers });
}

export function errorResponse(err: unknown, requestId: string, headers = new Headers()): Response {
  let error = err instanceof AppError ? err : databaseErrorAsAppError(err);
  if (!error) {
    console.error(`[${requestId}] unhandled error`, err);
    error = new AppError("internal", "Something went wrong on our side; the request id identifies it");
  }
  for (const [k, v] of Object.entries(error.headers ?? {})) headers.set(k, v);
  return json(error.status, errorBody(error, requestId), headers);
}
