import { db } from "../db/client";
import { IDEMPOTENCY_WINDOW_MS } from "./idempotency";

/**
 * Maintenance across all tenants (system actor): drop answers older than the replay window.
 * `tenantIds` limits it to those tenants (tests); the scheduler passes none, which means all.
 */
export async function pruneIdempotencyRecords({ now = new Date(), tenantIds }: { now?: Date; tenantIds?: string[] } = {}): Promise<number> {
  const { count } = await db().idempotencyRecord.deleteMany({
    where: { createdAt: { lt: new Date(now.getTime() - IDEMPOTENCY_WINDOW_MS) }, ...(tenantIds ? { tenantId: { in: tenantIds } } : {}) },
  });
  return count;
}
