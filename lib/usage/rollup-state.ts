// The rollup's one piece of durable progress: closedThrough, the end of the last CLOSED hour. Hours
// before it are final (never rewritten by a regular run, safe to bill); it only moves forward, and
// only after a run that recomputed every subject since the previous value completed.
import { db } from "../db/client";

const STATE_ID = "usage";

export async function readClosedThrough(): Promise<Date | null> {
  const row = await db().usageRollupState.findUnique({ where: { id: STATE_ID } });
  return row?.closedThrough ?? null;
}

/** Moves closedThrough to `to` unless it is already there or further (concurrent runs are fine). */
export async function advanceClosedThrough(to: Date): Promise<Date> {
  const rows = await db().$queryRaw<{ closed_through: Date }[]>`
    INSERT INTO usage_rollup_state (id, closed_through, updated_at) VALUES (${STATE_ID}, ${to}::timestamptz, now() AT TIME ZONE 'UTC')
    ON CONFLICT (id) DO UPDATE SET closed_through = GREATEST(usage_rollup_state.closed_through, EXCLUDED.closed_through), updated_at = EXCLUDED.updated_at
    RETURNING closed_through`;
  return rows[0].closed_through;
}
