// The usage (metering) concern's import surface.
//
// For billing (lib/billing) and the Stripe push (lib/billing/stripe):
//   sumUsageByMeter({ tenantId, from, to, apiKeyId? }) → Record<Meter, string>: exact decimal
//     totals of the hours starting in [from, to), the open current hour included (as of the last
//     rollup run).
//   closedUsageHours({ after?, since?, limit }) → { data: [{ tenantId, hour, meter, quantity }],
//     next }: final per tenant-hour-meter totals of closed hours, keyset-paged by
//     (hour, tenantId, meter); `next` is the `after` of the following page (null at the end).
//   readClosedThrough() → Date | null: hours before it are closed.
// For the scheduler: rollupUsage() (and rollupUsageJob(), its numbers-only summary). A regular run
// recomputes only the hours since closedThrough; data written with past times (tests, imports)
// needs rollupUsage({ tenantId, from }), which recomputes one tenant from `from` on. Rows whose
// subject id is no session or snapshot (hand-written fixtures) are never touched by a rollup.
export { METERS, METER_UNITS, type Meter } from "./meters";
export { closedUsageHours, sumUsageByMeter, type ClosedUsageCursor, type ClosedUsageHour } from "./usage-totals";
export { readClosedThrough } from "./rollup-state";
export { rollupUsage, rollupUsageJob, CLOSE_GRACE_MS, type RollupOptions, type RollupResult } from "./rollup-usage";
export { readUsage } from "./read-usage";
export { usageAnswerSchema, usageQuerySchema, type UsageQuery } from "./schemas";
