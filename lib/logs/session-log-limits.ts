// The log limits of sessions (their tenant's plan; no tenant_billing row or an unknown plan = free)
// and what each session's log holds already, for the runner's batcher (LogBatcher.setLimits).
import { db } from "../db/client";
import type { LogBatcher, LogTarget } from "./log-batcher";

type LimitsRow = { id: string; log_bytes: bigint; log_bytes_per_second: number; log_max_bytes: bigint };

/** One query for all of them. The runner acts for many tenants: plans are global, sessions are named by id. */
export async function applySessionLogLimits(batcher: LogBatcher, targets: LogTarget[]): Promise<void> {
  if (targets.length === 0) return;
  const rows = await db().$queryRaw<LimitsRow[]>`
    SELECT s.id, s.log_bytes, p.log_bytes_per_second, p.log_max_bytes
    FROM sessions s
    LEFT JOIN tenant_billing b ON b.tenant_id = s.tenant_id
    JOIN plans p ON p.id = COALESCE((SELECT id FROM plans WHERE id = b.plan_id), 'free')
    WHERE s.id = ANY(${targets.map((t) => t.sessionId)}::text[])`;
  const byId = new Map(rows.map((r) => [r.id, r]));
  for (const t of targets) {
    const row = byId.get(t.sessionId);
    if (!row) continue;
    batcher.setLimits(t, { bytesPerSecond: row.log_bytes_per_second, maxBytes: Number(row.log_max_bytes) }, Number(row.log_bytes));
  }
}
