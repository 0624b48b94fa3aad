// Reading spans back: a tenant's traces (newest first), one trace's spans, a session's spans.
// Every query is scoped to the caller's tenant; another tenant's trace id is simply not found.
import { AppError, notFound } from "../api/errors";
import type { TenantContext } from "../auth/context";
import { db } from "../db/client";
import type { ListSessionSpansQuery, ListTracesQuery, SpanView, TraceSummary } from "./schemas";
import { isValidTraceId } from "./traceparent";
import { FOLDED_METHODS, FOLDED_ROUTE_LIKE, FOLDED_ROUTE_PREFIXES, FOLDED_ROUTES } from "./folded-requests";

/** LIKE pattern for `text` anywhere, its own % _ and \ taken literally. */
const containsPattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
const nsOfMs = (ms: number | undefined) => (ms === undefined ? null : BigInt(Math.round(ms * 1e6)).toString());

type SpanRecord = {
  traceId: string; spanId: string; parentSpanId: string | null; sessionId: string | null; name: string; kind: string; source: string;
  serviceName: string | null; startNs: bigint; endNs: bigint; statusCode: string; statusMessage: string | null;
  attributes: unknown; events: unknown; resource: unknown;
};

const DAY_NS = 86_400n * 1_000_000_000n;
const msToNs = (iso: string) => BigInt(new Date(iso).getTime()) * 1_000_000n;
const nsToIso = (ns: bigint) => new Date(Number(ns / 1_000_000n)).toISOString();
const durationMs = (start: bigint, end: bigint) => Number(end - start) / 1e6;

export function toSpanView(row: SpanRecord): SpanView {
  return {
    traceId: row.traceId, spanId: row.spanId, parentSpanId: row.parentSpanId, sessionId: row.sessionId, name: row.name,
    kind: row.kind as SpanView["kind"], source: row.source as SpanView["source"], serviceName: row.serviceName,
    startNs: row.startNs.toString(), endNs: row.endNs.toString(), startTime: nsToIso(row.startNs), durationMs: durationMs(row.startNs, row.endNs),
    status: { code: row.statusCode as SpanView["status"]["code"], message: row.statusMessage },
    attributes: (row.attributes ?? {}) as Record<string, unknown>,
    events: (row.events ?? []) as SpanView["events"],
    resource: (row.resource ?? {}) as Record<string, unknown>,
  };
}

type TraceRow = {
  trace_id: string; start_ns: bigint; end_ns: bigint; span_count: number; has_error: boolean;
  root_name: string; service_name: string | null; session_id: string | null;
};

export async function listTraces({ ctx, input }: { ctx: TenantContext; input: ListTracesQuery }) {
  const toNs = input.to ? msToNs(input.to) : BigInt(Date.now() + 1000) * 1_000_000n;
  const fromNs = input.from ? msToNs(input.from) : input.sessionId ? 0n : toNs - DAY_NS;
  const [cursorStart, cursorTrace] = input.cursor ? input.cursor.split(".") : [null, null];
  const nameLike = input.name ? containsPattern(input.name) : null;
  // Raw SQL (an aggregate per trace): tenant_id is in every WHERE.
  const rows = await db().$queryRaw<TraceRow[]>`
    WITH candidates AS (
      SELECT DISTINCT trace_id FROM spans
      WHERE tenant_id = ${ctx.tenantId} AND start_ns >= ${fromNs.toString()}::bigint AND start_ns < ${toNs.toString()}::bigint
        AND (${input.sessionId ?? null}::text IS NULL OR session_id = ${input.sessionId ?? null}::text)
    )
    SELECT s.trace_id, min(s.start_ns) AS start_ns, max(s.end_ns) AS end_ns, count(*)::int AS span_count,
           bool_or(s.status_code = 'error') AS has_error,
           (array_agg(s.name ORDER BY (s.parent_span_id IS NULL) DESC, s.start_ns))[1] AS root_name,
           (array_agg(s.service_name ORDER BY (s.parent_span_id IS NULL) DESC, s.start_ns))[1] AS service_name,
           (array_agg(s.session_id ORDER BY s.start_ns) FILTER (WHERE s.session_id IS NOT NULL))[1] AS session_id
    FROM spans s JOIN candidates c ON c.trace_id = s.trace_id
    WHERE s.tenant_id = ${ctx.tenantId}
    GROUP BY s.trace_id
    HAVING (${cursorStart}::bigint IS NULL OR (min(s.start_ns), s.trace_id) < (${cursorStart}::bigint, ${cursorTrace}::text))
       AND (${input.includeReads} OR NOT bool_or(s.parent_span_id IS NULL AND s.source = 'platform' AND s.kind = 'server'
             -- COALESCE: a root without http attributes (a lifecycle step) is no request, not an unknown.
             AND COALESCE(s.attributes->>'http.method' = ANY(${[...FOLDED_METHODS]}::text[]) OR s.attributes->>'http.route' = ANY(${[...FOLDED_ROUTES]}::text[])
                  OR s.attributes->>'http.route' LIKE ANY(${FOLDED_ROUTE_LIKE}::text[]), false)))
       AND (${input.status ?? null}::text IS NULL OR bool_or(s.status_code = 'error') = (${input.status ?? null}::text = 'error'))
       AND (${nameLike}::text IS NULL OR (array_agg(s.name ORDER BY (s.parent_span_id IS NULL) DESC, s.start_ns))[1] ILIKE ${nameLike}::text)
       AND (${nsOfMs(input.minDurationMs)}::bigint IS NULL OR max(s.end_ns) - min(s.start_ns) >= ${nsOfMs(input.minDurationMs)}::bigint)
       AND (${nsOfMs(input.maxDurationMs)}::bigint IS NULL OR max(s.end_ns) - min(s.start_ns) <= ${nsOfMs(input.maxDurationMs)}::bigint)
    ORDER BY start_ns DESC, s.trace_id DESC
    LIMIT ${input.limit + 1}`;
  const hasMore = rows.length > input.limit;
  const page = rows.slice(0, input.limit);
  const data: TraceSummary[] = page.map((r) => ({
    traceId: r.trace_id, rootName: r.root_name, serviceName: r.service_name, startTime: nsToIso(BigInt(r.start_ns)), startNs: String(r.start_ns),
    durationMs: durationMs(BigInt(r.start_ns), BigInt(r.end_ns)), spanCount: r.span_count, hasError: r.has_error, sessionId: r.session_id,
  }));
  const last = page[page.length - 1];
  return { data, nextCursor: hasMore && last ? `${last.start_ns}.${last.trace_id}` : null };
}

export async function getTrace({ ctx, input }: { ctx: TenantContext; input: { traceId: string } }) {
  const traceId = input.traceId.toLowerCase();
  if (!isValidTraceId(traceId)) throw new AppError("invalid_request", "A trace id is 32 hex characters, not all zero");
  const rows = await ctx.db.span.findMany({ where: { traceId }, orderBy: [{ startNs: "asc" }, { spanId: "asc" }], take: 10_000 });
  if (rows.length === 0) throw notFound("Trace");
  return { traceId, spans: rows.map(toSpanView) };
}

export async function listSessionSpans({ ctx, input }: { ctx: TenantContext; input: ListSessionSpansQuery & { id: string } }) {
  const session = await ctx.db.session.findFirst({ where: { id: input.id }, select: { id: true } });
  if (!session) throw notFound("Session");
  const [cursorStart, cursorSpan] = input.cursor ? input.cursor.split(".") : [null, null];
  const rows = await ctx.db.span.findMany({
    where: {
      sessionId: input.id,
      startNs: { ...(input.from ? { gte: msToNs(input.from) } : {}), ...(input.to ? { lt: msToNs(input.to) } : {}) },
      ...(cursorStart ? { OR: [{ startNs: { gt: BigInt(cursorStart) } }, { startNs: BigInt(cursorStart), spanId: { gt: cursorSpan! } }] } : {}),
      // Folded requests (lib/telemetry/folded-requests.ts): their server spans (the API's and the runner's), not their children.
      ...(input.includeReads ? {} : {
        NOT: {
          source: "platform", kind: "server",
          OR: [
            ...FOLDED_METHODS.map((m) => ({ attributes: { path: ["http.method"], equals: m } })),
            ...FOLDED_ROUTES.map((r) => ({ attributes: { path: ["http.route"], equals: r } })),
            ...FOLDED_ROUTE_PREFIXES.map((p) => ({ attributes: { path: ["http.route"], string_starts_with: p } })),
          ],
        },
      }),
    },
    orderBy: [{ startNs: "asc" }, { spanId: "asc" }],
    take: input.limit + 1,
  });
  const hasMore = rows.length > input.limit;
  const page = rows.slice(0, input.limit);
  const last = page[page.length - 1];
  return { data: page.map(toSpanView), nextCursor: hasMore && last ? `${last.startNs}.${last.spanId}` : null };
}
