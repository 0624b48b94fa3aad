import { db } from "../db/client";
import { IDEMPOTENCY_WINDOW_MS } from "./idempotency";

/** Maintenance across all tenants (system actor): drop answers older than the replay window. */
export async function pruneIdempotencyRecords(now = new Date()): Promise<number> {
  const { count } = await db().idempotencyRecord.deleteMany({
    where: { createdAt: { lt: new Date(now.getTime() - IDEMPOTENCY_WINDOW_MS) } },
  });
  return count;
}
