// The scheduler's retention job: deletes session logs, resource metrics and network events (the egress flight recorder) older than each
// tenant's log_retention_days and spans older than its span_retention_days. Writers are never
// locked out: each DELETE removes at most one batch of rows picked by ctid through the
// (tenant_id, time) index and commits on its own (ROW EXCLUSIVE, like an INSERT: no table lock,
// no long transaction), and a run stops after a bounded number of batches and a time budget,
// leaving the rest to the next run.
import { db } from "../db/client";

export type PurgeOptions = {
  now?: Date;
  /** Rows per DELETE. */
  batchSize?: number;
  /** Batches per tenant and table in one run, so one tenant's backlog cannot starve the others. */
  maxBatchesPerTable?: number;
  /** The run stops starting new batches after this long. */
  budgetMs?: number;
  /** Only these tenants (tests); default every tenant. */
  tenantIds?: string[];
};

export type PurgeResult = { sessionLogs: number; sessionMetrics: number; spans: number; networkEvents: number };

const DAY_MS = 86_400_000;

type Table = { key: keyof PurgeResult; retention: "logRetentionDays" | "spanRetentionDays"; deleteBatch: (tenantId: string, cutoff: Date, limit: number) => Promise<number> };

const TABLES: Table[] = [
  {
    key: "sessionLogs", retention: "logRetentionDays",
    deleteBatch: (tenantId, cutoff, limit) => db().$executeRaw`
      DELETE FROM session_logs WHERE ctid = ANY(ARRAY(
        SELECT ctid FROM session_logs WHERE tenant_id = ${tenantId} AND at < ${cutoff}::timestamptz LIMIT ${limit}))`,
  },
  {
    key: "sessionMetrics", retention: "logRetentionDays",
    deleteBatch: (tenantId, cutoff, limit) => db().$executeRaw`
      DELETE FROM session_metrics WHERE ctid = ANY(ARRAY(
        SELECT ctid FROM session_metrics WHERE tenant_id = ${tenantId} AND at < ${cutoff}::timestamptz LIMIT ${limit}))`,
  },
  {
    // The egress flight recorder is kept like logs.
    key: "networkEvents", retention: "logRetentionDays",
    deleteBatch: (tenantId, cutoff, limit) => db().$executeRaw`
      DELETE FROM session_network_events WHERE ctid = ANY(ARRAY(
        SELECT ctid FROM session_network_events WHERE tenant_id = ${tenantId} AND at < ${cutoff}::timestamptz LIMIT ${limit}))`,
  },
  {
    key: "spans", retention: "spanRetentionDays",
    deleteBatch: (tenantId, cutoff, limit) => db().$executeRaw`
      DELETE FROM spans WHERE ctid = ANY(ARRAY(
        SELECT ctid FROM spans WHERE tenant_id = ${tenantId} AND start_ns < ${BigInt(cutoff.getTime()) * 1_000_000n} LIMIT ${limit}))`,
  },
];

export async function purgeExpiredTelemetry(opts: PurgeOptions = {}): Promise<PurgeResult> {
  const now = opts.now ?? new Date();
  const batchSize = opts.batchSize ?? 5_000;
  const maxBatches = opts.maxBatchesPerTable ?? 40;
  const deadline = Date.now() + (opts.budgetMs ?? 20_000);
  const result: PurgeResult = { sessionLogs: 0, sessionMetrics: 0, spans: 0, networkEvents: 0 };

  // The system actor reads every tenant's settings; each DELETE names its tenant.
  const tenants = await db().tenant.findMany({
    where: opts.tenantIds ? { id: { in: opts.tenantIds } } : {},
    select: { id: true, logRetentionDays: true, spanRetentionDays: true },
  });
  // A random order: when the budget runs out, no tenant is always the one left for later.
  for (let i = tenants.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [tenants[i], tenants[j]] = [tenants[j], tenants[i]];
  }

  for (const tenant of tenants) {
    for (const table of TABLES) {
      const cutoff = new Date(now.getTime() - tenant[table.retention] * DAY_MS);
      for (let batch = 0; batch < maxBatches; batch++) {
        if (Date.now() > deadline) return result;
        const deleted = await table.deleteBatch(tenant.id, cutoff, batchSize);
        result[table.key] += deleted;
        if (deleted < batchSize) break;
      }
    }
  }
  return result;
}
