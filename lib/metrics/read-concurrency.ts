// GET /sessions/concurrency: how many of the tenant's sessions ran (and were paused) at once, per
// time bucket, from the session state timeline (session_events).
import type { z } from "zod";
import { AppError } from "../api/errors";
import type { TenantContext } from "../auth/context";
import { db } from "../db/client";
import { concurrencySeries, type StateEvent } from "./concurrency";
import type { concurrencyQuerySchema } from "./schemas";
import { bucketWidthMs, MAX_POINTS, resolveTimeRange } from "./time-range";

const DEFAULT_RANGE_MS = 24 * 3_600_000;
/** A chosen `step` may give more buckets than the default, up to this. */
const MAX_BUCKETS = 2_000;

type EventRow = { session_id: string; to_state: string; at: Date };

export async function readConcurrency({ ctx, input }: { ctx: TenantContext; input: z.infer<typeof concurrencyQuerySchema> }) {
  const now = new Date();
  const { from, to } = resolveTimeRange(input, DEFAULT_RANGE_MS, now);
  const rangeMs = to.getTime() - from.getTime();
  const widthMs = input.step ? input.step * 1000 : bucketWidthMs(rangeMs, MAX_POINTS);
  if (Math.ceil(rangeMs / widthMs) > MAX_BUCKETS) {
    throw new AppError("invalid_request", `At most ${MAX_BUCKETS} buckets: use a larger step or a shorter range`, {
      details: { fields: [{ path: "query.step", message: `at least ${Math.ceil(rangeMs / MAX_BUCKETS / 1000)} seconds for this range` }] },
    });
  }

  // Every event up to `to` of the sessions that may have run in the range: those running or paused
  // now, and those whose last change is not older than the range (any other session sat in a
  // state that does not count for the whole range). The last event before `from` says the state
  // a session entered the range in.
  const events = await db().$queryRaw<EventRow[]>`
    SELECT e.session_id, e.to_state, e.created_at AS at
    FROM session_events e JOIN sessions s ON s.id = e.session_id AND s.tenant_id = ${ctx.tenantId}
    WHERE e.tenant_id = ${ctx.tenantId} AND e.created_at < ${to}::timestamptz
      AND (s.state IN ('running', 'paused') OR s.state_changed_at >= ${from}::timestamptz)
    ORDER BY e.session_id, e.created_at, e.id`;
  const timeline: StateEvent[] = events.map((e) => ({ sessionId: e.session_id, toState: e.to_state, at: e.at }));
  const data = concurrencySeries(timeline, { fromMs: from.getTime(), toMs: to.getTime(), openEndMs: Math.min(to.getTime(), now.getTime()) }, widthMs);
  return { from: from.toISOString(), to: to.toISOString(), stepSeconds: widthMs / 1000, data };
}
