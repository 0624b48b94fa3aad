// Totals over the hourly rollups (usage_hours) for billing: the period's usage so far (cost,
// spend limits, summary) and the closed tenant-hour-meter totals pushed to Stripe.
import { db } from "../db/client";
import { METERS, type Meter } from "./meters";
import { formatQuantity, parseQuantity } from "./quantity";
import { readClosedThrough } from "./rollup-state";

const isMeter = (m: string): m is Meter => (METERS as readonly string[]).includes(m);

/**
 * The tenant's usage per meter in the hours whose start lies in [from, to), as exact decimal
 * strings ("0" for a meter without usage). It includes the current, still open hour as of the last
 * rollup run (every minute), so "usage so far" is at most a minute or so behind. With `apiKeyId`,
 * only the usage of sessions that key created (and their snapshots).
 */
export async function sumUsageByMeter(input: { tenantId: string; from: Date; to: Date; apiKeyId?: string }): Promise<Record<Meter, string>> {
  const apiKeyId = input.apiKeyId ?? null;
  const rows = await db().$queryRaw<{ meter: string; quantity: string }[]>`
    SELECT meter, SUM(quantity)::text AS quantity FROM usage_hours
    WHERE tenant_id = ${input.tenantId} AND hour >= ${input.from}::timestamptz AND hour < ${input.to}::timestamptz
      AND (${apiKeyId}::text IS NULL OR api_key_id = ${apiKeyId}::text)
    GROUP BY meter`;
  const totals = Object.fromEntries(METERS.map((m) => [m, "0"])) as Record<Meter, string>;
  for (const r of rows) if (isMeter(r.meter)) totals[r.meter] = formatQuantity(parseQuantity(r.quantity));
  return totals;
}

export type ClosedUsageHour = { tenantId: string; hour: Date; meter: Meter; quantity: string };
export type ClosedUsageCursor = { hour: Date; tenantId: string; meter: string };

/**
 * Per tenant, hour and meter, the total usage of CLOSED hours only: hours before the rollup's
 * closedThrough, which ended at least CLOSE_GRACE_MS before a completed rollup run started and
 * are never rewritten by later runs, so a total read here is final (what Stripe is sent once).
 * Ordered by (hour, tenantId, meter); page with `after` = the last row of the previous page.
 * Totals of zero are never listed (the rollup keeps no zero rows).
 */
export async function closedUsageHours(input: { after?: ClosedUsageCursor; since?: Date; limit: number; tenantIds?: string[] }): Promise<{ data: ClosedUsageHour[]; next: ClosedUsageCursor | null }> {
  const closedThrough = await readClosedThrough();
  if (!closedThrough) return { data: [], next: null };
  const since = new Date(Math.max(input.after?.hour.getTime() ?? 0, input.since?.getTime() ?? 0));
  const after = input.after ?? { hour: new Date(0), tenantId: "", meter: "" };
  const limit = Math.max(1, Math.min(10_000, Math.floor(input.limit)));
  const tenantIds = input.tenantIds ?? null;
  // Through tenants so that each tenant's (tenant_id, hour) index range is read, never the whole table.
  const rows = await db().$queryRaw<{ tenant_id: string; hour: Date; meter: string; quantity: string }[]>`
    SELECT u.tenant_id, u.hour, u.meter, SUM(u.quantity)::text AS quantity
    FROM tenants t JOIN usage_hours u ON u.tenant_id = t.id
    WHERE u.hour >= ${since}::timestamptz AND u.hour < ${closedThrough}::timestamptz
      AND (${tenantIds}::text[] IS NULL OR t.id = ANY(${tenantIds}::text[]))
      AND (u.hour, u.tenant_id, u.meter) > (${after.hour}::timestamptz, ${after.tenantId}::text, ${after.meter}::text)
    GROUP BY u.hour, u.tenant_id, u.meter
    ORDER BY u.hour, u.tenant_id, u.meter
    LIMIT ${limit}`;
  const data = rows.filter((r) => isMeter(r.meter)).map((r) => ({
    tenantId: r.tenant_id, hour: r.hour, meter: r.meter as Meter, quantity: formatQuantity(parseQuantity(r.quantity)),
  }));
  const last = rows.at(-1);
  return { data, next: rows.length === limit && last ? { hour: last.hour, tenantId: last.tenant_id, meter: last.meter } : null };
}
