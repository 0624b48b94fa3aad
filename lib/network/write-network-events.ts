// Writes flight recorder events in one INSERT; each row takes its tenant from its session (events
// of a session that no longer exists are left out by the join).
import { db } from "../db/client";
import type { DroppedRow, NetworkEventRecord } from "./network-event";

export async function writeNetworkEvents(events: NetworkEventRecord[], dropped: DroppedRow[]): Promise<number> {
  const rows = [
    ...events.map((e) => ({ ...e, count: 1 })),
    ...dropped.map((d) => ({ sessionId: d.sessionId, atMs: d.atMs, kind: "dropped", verdict: null, rule: null, entry: null, count: d.count } as const)),
  ];
  if (!rows.length) return 0;
  const col = <T>(f: (r: (typeof rows)[number]) => T) => rows.map(f);
  // Arrays of arrays cannot go through unnest: the answers travel as one comma-joined text each.
  return db().$executeRaw`
    INSERT INTO session_network_events (tenant_id, session_id, at, kind, verdict, rule, entry, name, query_type, answers, destination, port, protocol, count)
    SELECT s.tenant_id, r.session_id, r.at, r.kind, r.verdict, r.rule, r.entry, r.name, r.query_type,
      CASE WHEN r.answers = '' THEN ARRAY[]::text[] ELSE string_to_array(r.answers, ',') END, r.destination, r.port, r.protocol, r.count
    FROM unnest(${col((r) => r.sessionId)}::text[], ${col((r) => new Date(r.atMs))}::timestamptz[], ${col((r) => r.kind)}::text[],
      ${col((r) => r.verdict)}::text[], ${col((r) => r.rule)}::text[], ${col((r) => r.entry)}::text[], ${col((r) => ("name" in r ? r.name ?? null : null))}::text[], ${col((r) => ("queryType" in r ? r.queryType ?? null : null))}::text[],
      ${col((r) => ("answers" in r ? (r.answers ?? []).join(",") : ""))}::text[], ${col((r) => ("destination" in r ? r.destination ?? null : null))}::text[],
      ${col((r) => ("port" in r ? r.port ?? null : null))}::int[], ${col((r) => ("protocol" in r ? r.protocol ?? null : null))}::text[], ${col((r) => r.count)}::int[])
      AS r(session_id, at, kind, verdict, rule, entry, name, query_type, answers, destination, port, protocol, count)
    JOIN sessions s ON s.id = r.session_id`;
}
