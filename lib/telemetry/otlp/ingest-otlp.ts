// Storing what an OTLP export request carries, for the caller's tenant.
// Traces: every valid span is stored in one INSERT (re-sent spans are ignored); a span whose
// session.id names no session of this tenant is stored without a session (its attribute is kept
// as sent), so one tenant can never attach spans to another tenant's session.
// Logs: session_logs rows belong to a session, so a record without a session.id naming a session
// of this tenant is rejected (partial success). Records are appended per session, one batch each.
import type { TenantContext } from "../../auth/context";
import { appendSessionLogs, type NewLogLine } from "../../logs/append-session-logs";
import { insertSpans } from "../insert-spans";
import { nowNs } from "../span-row";
import { logsFromOtlp } from "./logs-from-otlp";
import { describeRejections, reject } from "./spans-from-otlp";
import { spansFromOtlp } from "./spans-from-otlp";

export type IngestResult = { accepted: number; rejected: number; errorMessage: string };

const SESSION_ID = /^ses_[0-9A-Z]{26}$/;

async function sessionsOfTenant(ctx: TenantContext, refs: (string | null)[]): Promise<Set<string>> {
  const ids = [...new Set(refs.filter((r): r is string => !!r && SESSION_ID.test(r)))];
  if (ids.length === 0) return new Set();
  const rows = await ctx.db.session.findMany({ where: { id: { in: ids } }, select: { id: true } });
  return new Set(rows.map((r) => r.id));
}

type IngestArgs = {
  ctx: TenantContext;
  input: Record<string, unknown>;
  /** Sent with a session's telemetry token: everything joins this session, whatever session.id says. */
  boundSessionId?: string | null;
};

export async function ingestOtlpTraces({ ctx, input, boundSessionId }: IngestArgs): Promise<IngestResult> {
  const { spans, rejected } = spansFromOtlp(input, nowNs());
  if (boundSessionId) for (const s of spans) s.sessionRef = boundSessionId;
  const known = await sessionsOfTenant(ctx, spans.map((s) => s.sessionRef));
  await insertSpans(spans.map(({ sessionRef, ...span }) => ({
    ...span, tenantId: ctx.tenantId, sessionId: sessionRef && known.has(sessionRef) ? sessionRef : null,
  })));
  return { accepted: spans.length, rejected: rejected.count, errorMessage: describeRejections(rejected, "span") };
}

export async function ingestOtlpLogs({ ctx, input, boundSessionId }: IngestArgs): Promise<IngestResult> {
  const { records, rejected } = logsFromOtlp(input, nowNs());
  if (boundSessionId) for (const r of records) r.sessionRef = boundSessionId;
  const known = await sessionsOfTenant(ctx, records.map((r) => r.sessionRef));
  const bySession = new Map<string, NewLogLine[]>();
  let accepted = 0;
  for (const record of records) {
    if (!record.sessionRef || !known.has(record.sessionRef)) {
      reject(rejected, "no session.id attribute naming a session of this tenant");
      continue;
    }
    const lines = bySession.get(record.sessionRef) ?? [];
    for (const line of record.lines) lines.push({ stream: record.stream, source: "otlp", at: record.at, line });
    bySession.set(record.sessionRef, lines);
    accepted += 1;
  }
  for (const [sessionId, lines] of bySession) await appendSessionLogs(ctx.tenantId, sessionId, lines);
  return { accepted, rejected: rejected.count, errorMessage: describeRejections(rejected, "log record") };
}
