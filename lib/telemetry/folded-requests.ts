// Which of the platform's request spans the trace views fold away by default (includeReads=false):
// read-only requests (a console polling a page), OTLP exports, and a web terminal's traffic (every
// keystroke is a POST, and its output stream a long GET). One rule, used by the SQL of the trace
// list and the session's spans and by this pure check, which the unit test pins.

export const FOLDED_METHODS = ["GET", "HEAD"] as const;

/** Route templates of requests folded whatever their method. */
export const FOLDED_ROUTES = [
  "/api/v1/sessions/{id}/terminals/{terminalId}/input",
  "/api/v1/sessions/{id}/terminals/{terminalId}/resize",
  "/api/v1/sessions/{id}/terminals/{terminalId}/output",
] as const;

/** Route template prefixes folded whatever their method. */
export const FOLDED_ROUTE_PREFIXES = ["/api/otlp/"] as const;

/** The prefixes as SQL LIKE patterns (they hold no % or _ of their own). */
export const FOLDED_ROUTE_LIKE = FOLDED_ROUTE_PREFIXES.map((p) => `${p}%`);

/** Whether a span is the platform's server span of a folded request. */
export function isFoldedRequestSpan(span: { source: string; kind: string; attributes: Record<string, unknown> }): boolean {
  if (span.source !== "platform" || span.kind !== "server") return false;
  const method = span.attributes["http.method"];
  const route = span.attributes["http.route"];
  if (typeof method === "string" && (FOLDED_METHODS as readonly string[]).includes(method)) return true;
  if (typeof route !== "string") return false;
  return (FOLDED_ROUTES as readonly string[]).includes(route) || FOLDED_ROUTE_PREFIXES.some((p) => route.startsWith(p));
}
