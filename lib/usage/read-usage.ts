// GET /api/v1/usage: the tenant's metered usage from the hourly rollups, per hour or UTC day,
// grouped by meter, session, template or creating API key, each row priced with the tenant's plan.
import { AppError } from "../api/errors";
import type { TenantContext } from "../auth/context";
import { billingPeriodOf } from "../billing/billing-period";
import { amountCents, parseDecimal, PRICE_SCALE } from "../billing/money";
import { getTenantPlan } from "../billing/price-book";
import { db } from "../db/client";
import { METERS, type Meter } from "./meters";
import { formatQuantity, parseQuantity } from "./quantity";
import { MAX_USAGE_RANGE_DAYS, type UsageQuery } from "./schemas";

const DAY_MS = 86_400_000;

function resolveRange(input: UsageQuery, now: Date): { from: Date; to: Date } {
  const month = billingPeriodOf(now);
  const from = input.from ? new Date(input.from) : month.start;
  const to = input.to ? new Date(input.to) : month.end;
  if (from >= to) {
    throw new AppError("invalid_request", "`from` must be before `to`", { details: { fields: [{ path: "query.from", message: "must be before `to`" }] } });
  }
  if (to.getTime() - from.getTime() > MAX_USAGE_RANGE_DAYS * DAY_MS) {
    throw new AppError("invalid_request", `The range is at most ${MAX_USAGE_RANGE_DAYS} days`, {
      details: { fields: [{ path: "query.from", message: `at most ${MAX_USAGE_RANGE_DAYS} days before \`to\`` }] },
    });
  }
  return { from, to };
}

export async function readUsage({ ctx, input, now = new Date() }: { ctx: TenantContext; input: UsageQuery; now?: Date }) {
  const { from, to } = resolveRange(input, now);
  const plan = await getTenantPlan(ctx.tenantId);
  const prices = new Map(plan.prices.map((p) => [p.meter, parseDecimal(p.unitPriceUsd, PRICE_SCALE)]));
  // The grouping key and bucket are fixed expressions chosen by parameter, never SQL built from input.
  const rows = await db().$queryRaw<{ start: Date; key: string; meter: string; quantity: string }[]>`
    SELECT date_trunc(${input.granularity}::text, u.hour, 'UTC') AS start,
      CASE ${input.groupBy}::text
        WHEN 'meter' THEN u.meter
        WHEN 'session' THEN COALESCE(u.session_id, u.subject_id)
        WHEN 'template' THEN COALESCE(u.template_name, 'unknown')
        ELSE COALESCE(u.api_key_id, 'console')
      END AS key,
      u.meter, SUM(u.quantity)::text AS quantity
    FROM usage_hours u
    WHERE u.tenant_id = ${ctx.tenantId} AND u.hour >= ${from}::timestamptz AND u.hour < ${to}::timestamptz
    GROUP BY 1, 2, 3
    ORDER BY 1, 2, 3`;
  const data = rows
    .filter((r): r is typeof r & { meter: Meter } => (METERS as readonly string[]).includes(r.meter))
    .map((r) => {
      const micro = parseQuantity(r.quantity);
      return { start: r.start.toISOString(), key: r.key, meter: r.meter, quantity: formatQuantity(micro), amountCents: amountCents(micro, prices.get(r.meter) ?? 0n) };
    });
  return { from: from.toISOString(), to: to.toISOString(), granularity: input.granularity, groupBy: input.groupBy, data };
}
