// What a rollup run reads, in bulk: which subjects (sessions, snapshots) may have usage in the
// hours being rolled, and then, a batch at a time, their rows and whole state timelines.
//
// session_events.created_at and the snapshot times are `timestamp` (UTC wall time, as Prisma writes
// them); they are compared with `… AT TIME ZONE 'UTC'` so the database session's time zone never
// matters.
import { db } from "../db/client";
import type { TimelineEvent } from "./intervals";

export type Window = { start: Date; now: Date; tenantId: string | null };

/**
 * Sessions whose usage in hours ≥ window.start may have changed: those running or paused now (an
 * open span grows), those with a state change in the window, and those that have rows there
 * already (so that rows a recomputation no longer yields are removed). Rows whose subject is no
 * session or snapshot at all (written by hand, e.g. test fixtures) are never touched.
 */
export async function findSessionSubjects(w: Window): Promise<string[]> {
  const rows = await db().$queryRaw<{ id: string }[]>`
    SELECT s.id FROM sessions s
    WHERE s.state IN ('running', 'paused') AND (${w.tenantId}::text IS NULL OR s.tenant_id = ${w.tenantId}::text)
    UNION
    SELECT e.session_id FROM tenants t JOIN session_events e ON e.tenant_id = t.id
    WHERE e.created_at >= (${w.start}::timestamptz AT TIME ZONE 'UTC') AND (${w.tenantId}::text IS NULL OR t.id = ${w.tenantId}::text)
    UNION
    SELECT u.subject_id FROM tenants t JOIN usage_hours u ON u.tenant_id = t.id JOIN sessions s ON s.id = u.subject_id
    WHERE u.hour >= ${w.start}::timestamptz AND u.meter <> 'snapshot_gib_hours' AND (${w.tenantId}::text IS NULL OR t.id = ${w.tenantId}::text)
    UNION
    SELECT n.session_id FROM tenants t JOIN session_network_hours n ON n.tenant_id = t.id
    WHERE n.hour >= ${w.start}::timestamptz AND (${w.tenantId}::text IS NULL OR t.id = ${w.tenantId}::text)
    ORDER BY 1`;
  return rows.map((r) => r.id);
}

/** Snapshots stored at some time in [window.start, now], and those with rows in the window already. */
export async function findSnapshotSubjects(w: Window): Promise<string[]> {
  const rows = await db().$queryRaw<{ id: string }[]>`
    SELECT sn.id FROM snapshots sn
    WHERE sn.stored_bytes > 0 AND sn.created_at <= (${w.now}::timestamptz AT TIME ZONE 'UTC')
      AND ((sn.deleted_at IS NULL AND sn.status <> 'deleted') OR sn.deleted_at > (${w.start}::timestamptz AT TIME ZONE 'UTC'))
      AND (${w.tenantId}::text IS NULL OR sn.tenant_id = ${w.tenantId}::text)
    UNION
    SELECT u.subject_id FROM tenants t JOIN usage_hours u ON u.tenant_id = t.id JOIN snapshots sn ON sn.id = u.subject_id
    WHERE u.hour >= ${w.start}::timestamptz AND u.meter = 'snapshot_gib_hours' AND (${w.tenantId}::text IS NULL OR t.id = ${w.tenantId}::text)
    ORDER BY 1`;
  return rows.map((r) => r.id);
}

/** Who a usage row is attributed to. */
export type Attribution = { tenantId: string; sessionId: string | null; templateName: string | null; apiKeyId: string | null };
export type LoadedSession = Attribution & { id: string; vcpu: number; memoryMib: number; gpus: number; events: TimelineEvent[]; egress: { hourMs: number; bytes: bigint }[] };
export type LoadedSnapshot = Attribution & { id: string; storedBytes: bigint; createdAtMs: number; deletedAtMs: number | null };

/** The sessions with their whole timelines (the rounding of each hour depends on all before it). */
export async function loadSessions(ids: string[]): Promise<LoadedSession[]> {
  const [sessions, events, egress] = await Promise.all([
    db().$queryRaw<{ id: string; tenant_id: string; template_name: string; api_key_id: string | null; vcpu: number; memory_mib: number; gpus: number }[]>`
      SELECT id, tenant_id, template_name, api_key_id, vcpu, memory_mib, gpus FROM sessions WHERE id = ANY(${ids}::text[])`,
    db().$queryRaw<{ session_id: string; id: string; to_state: string; at_ms: bigint }[]>`
      SELECT session_id, id, to_state, (extract(epoch FROM created_at) * 1000)::bigint AS at_ms
      FROM session_events WHERE session_id = ANY(${ids}::text[])`,
    db().$queryRaw<{ session_id: string; hour_ms: bigint; bytes_out: bigint }[]>`
      SELECT session_id, (extract(epoch FROM hour) * 1000)::bigint AS hour_ms, bytes_out
      FROM session_network_hours WHERE session_id = ANY(${ids}::text[])`,
  ]);
  const egressOf = new Map<string, { hourMs: number; bytes: bigint }[]>();
  for (const e of egress) {
    const list = egressOf.get(e.session_id) ?? [];
    list.push({ hourMs: Number(e.hour_ms), bytes: BigInt(e.bytes_out) });
    egressOf.set(e.session_id, list);
  }
  const bySession = new Map<string, TimelineEvent[]>();
  for (const e of events) {
    const list = bySession.get(e.session_id) ?? [];
    list.push({ id: e.id, toState: e.to_state, atMs: Number(e.at_ms) });
    bySession.set(e.session_id, list);
  }
  return sessions.map((s) => ({
    id: s.id, tenantId: s.tenant_id, sessionId: s.id, templateName: s.template_name, apiKeyId: s.api_key_id,
    vcpu: s.vcpu, memoryMib: s.memory_mib, gpus: s.gpus, events: bySession.get(s.id) ?? [], egress: egressOf.get(s.id) ?? [],
  }));
}

/** The snapshots, attributed to the session they were taken of (its template and API key). */
export async function loadSnapshots(ids: string[]): Promise<LoadedSnapshot[]> {
  // A snapshot marked deleted without a deletion time (none should remain after the billing
  // migration) is treated as never stored rather than as stored forever.
  const rows = await db().$queryRaw<{
    id: string; tenant_id: string; session_id: string | null; template_name: string | null; api_key_id: string | null;
    stored_bytes: bigint; created_ms: bigint; deleted_ms: bigint | null;
  }[]>`
    SELECT sn.id, sn.tenant_id, sn.session_id, s.template_name, s.api_key_id, sn.stored_bytes,
      (extract(epoch FROM sn.created_at) * 1000)::bigint AS created_ms,
      (extract(epoch FROM CASE WHEN sn.deleted_at IS NULL AND sn.status = 'deleted' THEN sn.created_at ELSE sn.deleted_at END) * 1000)::bigint AS deleted_ms
    FROM snapshots sn LEFT JOIN sessions s ON s.id = sn.session_id AND s.tenant_id = sn.tenant_id
    WHERE sn.id = ANY(${ids}::text[])`;
  return rows.map((r) => ({
    id: r.id, tenantId: r.tenant_id, sessionId: r.session_id, templateName: r.template_name, apiKeyId: r.api_key_id,
    storedBytes: BigInt(r.stored_bytes), createdAtMs: Number(r.created_ms), deletedAtMs: r.deleted_ms === null ? null : Number(r.deleted_ms),
  }));
}
