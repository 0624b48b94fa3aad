// Spans reach the table in one statement per batch: INSERT … SELECT FROM unnest(…) with
// ON CONFLICT DO NOTHING, so a re-sent span (an exporter retrying after a timeout) is stored once.
import { db } from "../db/client";
import { type SpanRow, storableJson, storableText } from "./span-row";

type RawClient = { $executeRaw: ReturnType<typeof db>["$executeRaw"] };

/** Inserts the rows (inside `client`'s transaction when given); returns how many were new. */
export async function insertSpans(rows: SpanRow[], client: RawClient = db()): Promise<number> {
  if (rows.length === 0) return 0;
  const col = <T>(f: (r: SpanRow) => T) => rows.map(f);
  const text = (v: string | null) => (v === null ? null : storableText(v));
  return client.$executeRaw`
    INSERT INTO spans (tenant_id, trace_id, span_id, parent_span_id, session_id, name, kind, source, service_name,
                       start_ns, end_ns, status_code, status_message, attributes, events, resource)
    SELECT tenant_id, trace_id, span_id, parent_span_id, session_id, name, kind, source, service_name,
           start_ns, end_ns, status_code, status_message, attributes::jsonb, events::jsonb, resource::jsonb
    FROM unnest(
      ${col((r) => r.tenantId)}::text[], ${col((r) => r.traceId)}::text[], ${col((r) => r.spanId)}::text[],
      ${col((r) => r.parentSpanId)}::text[], ${col((r) => r.sessionId)}::text[], ${col((r) => storableText(r.name))}::text[],
      ${col((r) => r.kind)}::text[], ${col((r) => r.source)}::text[], ${col((r) => text(r.serviceName))}::text[],
      ${col((r) => r.startNs.toString())}::bigint[], ${col((r) => r.endNs.toString())}::bigint[], ${col((r) => r.statusCode)}::text[],
      ${col((r) => text(r.statusMessage))}::text[], ${col((r) => storableJson(r.attributes))}::text[],
      ${col((r) => storableJson(r.events))}::text[], ${col((r) => storableJson(r.resource))}::text[]
    ) AS t(tenant_id, trace_id, span_id, parent_span_id, session_id, name, kind, source, service_name,
           start_ns, end_ns, status_code, status_message, attributes, events, resource)
    ON CONFLICT DO NOTHING`;
}
