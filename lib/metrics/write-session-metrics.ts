import { db } from "../db/client";

export type SessionMetricRow = { sessionId: string; tenantId: string; at: Date; cpuVcpu: number; memoryBytes: number; pids: number };

/**
 * One INSERT for a whole sampling tick, across tenants (the runner writes as the system actor;
 * every row carries its tenant). A repeated (session, instant) is skipped, not an error.
 */
export async function writeSessionMetrics(rows: SessionMetricRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  const { count } = await db().sessionMetric.createMany({
    data: rows.map((r) => ({ ...r, memoryBytes: BigInt(Math.max(0, Math.round(r.memoryBytes))) })),
    skipDuplicates: true,
  });
  return count;
}
