// The server span of every API request: it continues the caller's trace when the request carries
// a valid `traceparent` (else starts one), is the active span while the handler runs (so lifecycle
// and exec spans nest under it), and is named by the route template, e.g. "POST /api/v1/sessions/{id}/exec".
// Every answer, errors included, carries the span's `traceparent`.
import type { TenantContext } from "../auth/context";
import { PlatformSpan, runInSpan } from "./platform-span";
import { parseTraceparent } from "./traceparent";

type RouteContext = { params: Promise<Record<string, string | string[]>> };
type RouteHandler = (req: Request, route: RouteContext) => Promise<Response>;

export function tracedRoute(
  endpoint: { method: string; path: string },
  handler: (req: Request, route: RouteContext, span: PlatformSpan) => Promise<Response>,
): RouteHandler {
  return async (req, route) => {
    const span = new PlatformSpan(`${req.method} ${endpoint.path}`, {
      parent: parseTraceparent(req.headers.get("traceparent")),
      kind: "server",
      tenantId: null,
      attributes: { "http.method": req.method, "http.route": endpoint.path },
    });
    // Joined to the session in the path from the start, so spans made inside (placement, the
    // desired state, exec) are joined too; a 404 means no such session here, and undoes it.
    const sessionRoute = endpoint.path.startsWith("/api/v1/sessions/{id}");
    if (sessionRoute) {
      const id = (await route?.params?.catch(() => undefined))?.id;
      if (typeof id === "string" && /^ses_[0-9A-Z]{26}$/.test(id)) span.setSession(id);
    }
    let status = 500;
    try {
      const res = await runInSpan(span, () => handler(req, route, span));
      status = res.status;
      span.setAttribute("http.status_code", res.status);
      if (res.status >= 500) span.setError(`HTTP ${res.status}`);
      try {
        res.headers.set("traceparent", span.traceparent());
      } catch {
        // A Response with immutable headers (none of ours) keeps its own.
      }
      return res;
    } catch (err) {
      span.setError(err);
      throw err;
    } finally {
      if (sessionRoute && status === 404) span.setSession(null);
      span.end();
    }
  };
}

/** Who called, on the request span: the tenant it is stored under, the key prefix or the user id. */
export function describeCaller(span: PlatformSpan, ctx: Pick<TenantContext, "tenantId" | "actor" | "requestId">) {
  span.tenantId = ctx.tenantId;
  span.setAttribute("burrow.request_id", ctx.requestId);
  span.setAttribute("burrow.actor.type", ctx.actor.type);
  if (ctx.actor.type === "key") span.setAttribute("burrow.api_key", ctx.actor.label);
  else if (ctx.actor.type === "user") span.setAttribute("enduser.id", ctx.actor.id);
}
