// Egress metering, the database side: a runner's readings of its sandboxes' kernel counters become
// bytes per session and UTC hour (session_network_hours, rolled up as network_egress_gib).
//
// Counters are cumulative since their pair was made (meterId), so a reading is recorded as its
// increase over the last one recorded for the same pair (session_network_counters): readings may
// repeat (a retried write, a final reading that is also the last periodic one) or arrive out of
// order without counting a byte twice, since the stored value only grows and each increase is
// added once. A new pair (a new container: wake, recovery) starts from its own zero. One advisory
// lock serializes these short transactions across runners.
import { db } from "../db/client";
import type { CounterReading } from "./network-event";

const EGRESS_LOCK = 72707371;

export type EgressRecordResult = { readings: number; bytesOut: bigint; bytesIn: bigint };

export async function recordCounterReadings(readings: CounterReading[]): Promise<EgressRecordResult> {
  if (!readings.length) return { readings: 0, bytesOut: 0n, bytesIn: 0n };
  return db().$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${EGRESS_LOCK}::bigint)`;
    const sessionIds = readings.map((r) => r.sessionId);
    const meterIds = readings.map((r) => r.meterId);
    // Readings of sessions that no longer exist are left out by the join.
    const known = await tx.$queryRaw<{ session_id: string; meter_id: string; tenant_id: string; bytes_out: bigint | null; bytes_in: bigint | null }[]>`
      SELECT r.session_id, r.meter_id, s.tenant_id, c.bytes_out, c.bytes_in
      FROM unnest(${sessionIds}::text[], ${meterIds}::text[]) AS r(session_id, meter_id)
      JOIN sessions s ON s.id = r.session_id
      LEFT JOIN session_network_counters c ON c.session_id = r.session_id AND c.meter_id = r.meter_id`;
    const last = new Map(known.map((k) => [`${k.session_id}|${k.meter_id}`, k]));
    const rows: { sessionId: string; meterId: string; tenantId: string; out: bigint; in: bigint; dOut: bigint; dIn: bigint }[] = [];
    for (const r of readings) {
      const k = last.get(`${r.sessionId}|${r.meterId}`);
      if (!k) continue;
      const prevOut = k.bytes_out === null ? 0n : BigInt(k.bytes_out);
      const prevIn = k.bytes_in === null ? 0n : BigInt(k.bytes_in);
      const out = r.bytesOut > prevOut ? r.bytesOut : prevOut;
      const inn = r.bytesIn > prevIn ? r.bytesIn : prevIn;
      rows.push({ sessionId: r.sessionId, meterId: r.meterId, tenantId: k.tenant_id, out, in: inn, dOut: out - prevOut, dIn: inn - prevIn });
      // The same pair twice in one batch: the later reading compares with this one.
      last.set(`${r.sessionId}|${r.meterId}`, { ...k, bytes_out: out, bytes_in: inn });
    }
    const changed = rows.filter((r) => r.dOut > 0n || r.dIn > 0n);
    if (!changed.length) return { readings: rows.length, bytesOut: 0n, bytesIn: 0n };
    // One row per pair (its highest value; rows are in reading order, each at least the one before).
    const pairs = [...new Map(changed.map((r) => [`${r.sessionId}|${r.meterId}`, r])).values()];
    const col = <T>(f: (r: (typeof changed)[number]) => T) => pairs.map(f);
    await tx.$executeRaw`
      INSERT INTO session_network_counters AS c (session_id, meter_id, tenant_id, bytes_out, bytes_in, updated_at)
      SELECT * , now() AT TIME ZONE 'UTC' FROM unnest(${col((r) => r.sessionId)}::text[], ${col((r) => r.meterId)}::text[], ${col((r) => r.tenantId)}::text[],
        ${col((r) => r.out.toString())}::bigint[], ${col((r) => r.in.toString())}::bigint[])
      ON CONFLICT (session_id, meter_id) DO UPDATE SET
        bytes_out = GREATEST(c.bytes_out, EXCLUDED.bytes_out), bytes_in = GREATEST(c.bytes_in, EXCLUDED.bytes_in), updated_at = EXCLUDED.updated_at`;
    // Per session: one batch may hold a session's old pair (its final reading) and its new one.
    const perSession = new Map<string, { tenantId: string; out: bigint; in: bigint }>();
    for (const r of changed) {
      const p = perSession.get(r.sessionId) ?? { tenantId: r.tenantId, out: 0n, in: 0n };
      perSession.set(r.sessionId, { tenantId: r.tenantId, out: p.out + r.dOut, in: p.in + r.dIn });
    }
    const sessions = [...perSession];
    await tx.$executeRaw`
      INSERT INTO session_network_hours AS h (session_id, hour, tenant_id, bytes_out, bytes_in)
      SELECT session_id, date_trunc('hour', now(), 'UTC'), tenant_id, bytes_out, bytes_in
      FROM unnest(${sessions.map(([id]) => id)}::text[], ${sessions.map(([, p]) => p.tenantId)}::text[],
        ${sessions.map(([, p]) => p.out.toString())}::bigint[], ${sessions.map(([, p]) => p.in.toString())}::bigint[]) AS r(session_id, tenant_id, bytes_out, bytes_in)
      ON CONFLICT (session_id, hour) DO UPDATE SET bytes_out = h.bytes_out + EXCLUDED.bytes_out, bytes_in = h.bytes_in + EXCLUDED.bytes_in`;
    return { readings: rows.length, bytesOut: changed.reduce((a, r) => a + r.dOut, 0n), bytesIn: changed.reduce((a, r) => a + r.dIn, 0n) };
  });
}
