// What the web server (scripts/web-server.ts) refuses before Next sees a request: a method no
// route can serve (TRACE, CONNECT, made-up ones: 405) and a path that is not percent-encoded UTF-8
// (`%ff`: 400). Next 16 answers both with a 500 (it throws building its web Request for TRACE, and
// on decoding such a path); callers get the API's JSON error instead.
import { AppError, errorBody } from "./errors";

/** The methods a route file can export; Next answers HEAD and OPTIONS itself. */
export const ROUTABLE_METHODS = ["GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"];

function refusal(error: AppError, requestId: string): Response {
  const headers = new Headers({ "content-type": "application/json; charset=utf-8", "cache-control": "no-store", "x-request-id": requestId });
  for (const [k, v] of Object.entries(error.headers ?? {})) headers.set(k, v);
  return new Response(JSON.stringify(errorBody(error, requestId)), { status: error.status, headers });
}

/** The answer for a request no /api route can take, or null to let Next route it. */
export function screenApiRequest(method: string, rawPathname: string, requestId: string): Response | null {
  if (!ROUTABLE_METHODS.includes(method)) {
    return refusal(new AppError("method_not_allowed", `The API does not serve ${method.slice(0, 20)} requests`, {
      headers: { Allow: ROUTABLE_METHODS.join(", ") },
    }), requestId);
  }
  try {
    decodeURIComponent(rawPathname);
  } catch {
    return refusal(new AppError("invalid_request", "The URL path is not valid percent-encoded UTF-8", {
      details: { fields: [{ path: "path", message: "not valid percent-encoded UTF-8" }] },
    }), requestId);
  }
  return null;
}
