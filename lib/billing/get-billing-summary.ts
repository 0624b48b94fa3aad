// GET /api/v1/billing/summary: the tenant's plan, this period's cost so far (the price book applied
// to its metered usage), the forecast, the spend limit and its alerts, and the quotas in use.
import type { TenantContext } from "../auth/context";
import { billingMode } from "../env";
import { getQuota, getQuotaUsage } from "../quotas/session-quota";
import { billingPeriodOf, isInPeriod } from "./billing-period";
import { computePeriodCostWithForecast } from "./compute-period-cost";
import { getTenantPlan } from "./price-book";
import type { BillingSummary } from "./schemas";

export async function getBillingSummary({ ctx, now = new Date() }: { ctx: TenantContext; now?: Date }): Promise<BillingSummary> {
  const period = billingPeriodOf(now);
  const plan = await getTenantPlan(ctx.tenantId);
  const [cost, billing, alerts, quota, used] = await Promise.all([
    computePeriodCostWithForecast({ tenantId: ctx.tenantId, period, plan, now }),
    ctx.db.tenantBilling.findFirst(),
    ctx.db.budgetAlert.findMany({ where: { periodStart: period.start }, orderBy: [{ createdAt: "asc" }, { threshold: "asc" }] }),
    getQuota(ctx.db),
    getQuotaUsage(ctx.db),
  ]);
  const limit = billing?.spendLimitCents ?? null;
  const marked = billing?.spendLimitReachedAt ? isInPeriod(billing.spendLimitReachedAt, period) : false;
  const mode = billingMode();
  return {
    mode,
    charged: mode === "stripe",
    plan: { id: plan.id, name: plan.name, monthlyFeeCents: plan.monthlyFeeCents },
    period: { start: period.start.toISOString(), end: period.end.toISOString() },
    lines: cost.lines,
    usageCents: cost.usageCents,
    feeCents: cost.feeCents,
    totalCents: cost.totalCents,
    forecastCents: cost.forecastCents,
    spendCents: cost.usageCents,
    spendLimitCents: limit,
    spendLimitReached: limit !== null && (marked || cost.usageCents >= limit),
    alerts: alerts.map((a) => ({ scope: a.scope, threshold: a.threshold, createdAt: a.createdAt.toISOString() })),
    quotas: [
      { name: "running_sessions", limit: quota.maxRunningSessions, used: used.runningSessions },
      { name: "vcpu", limit: quota.maxVcpu, used: used.vcpu },
      { name: "memory_mib", limit: quota.maxMemoryMib, used: used.memoryMib },
      { name: "snapshot_bytes", limit: Number(quota.maxSnapshotBytes), used: Number(used.snapshotBytes) },
    ],
    subscriptionStatus: billing?.subscriptionStatus ?? null,
  };
}
