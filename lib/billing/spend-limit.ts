// Monthly spend limits, per tenant (tenant_billing.spendLimitCents) and per API key
// (api_keys.spendLimitCents, for the sessions that key creates). Spend is the period's metered
// usage after included amounts, in cents: the part of the bill that sessions drive. The plan's
// monthly fee is fixed, so it is not counted (hibernating sessions could not lower it anyway).
import { AppError } from "../api/errors";
import { tenantDb, type TenantDb, type TenantTx } from "../db/tenant-scope";
import { billingPeriodOf, isInPeriod } from "./billing-period";
import { computePeriodCost } from "./compute-period-cost";
import { formatUsdCents } from "./money";

export const TENANT_SCOPE = "tenant";
export const BUDGET_THRESHOLDS = [50, 80, 100] as const;

export function spendLimitReached(scope: string, limitCents: number, spendCents: number) {
  const whose = scope === TENANT_SCOPE ? "The tenant's" : "This API key's";
  return new AppError("spend_limit_reached", `${whose} monthly spend limit is reached (${formatUsdCents(spendCents)} of ${formatUsdCents(limitCents)}); raise or remove the limit to start sessions`, {
    details: { limitCents, spendCents, scope },
  });
}

/** The period's spend of the tenant, or of the sessions one API key created (no included amounts). */
export async function periodSpendCents(tenantId: string, now: Date, apiKeyId?: string): Promise<number> {
  return (await computePeriodCost({ tenantId, period: billingPeriodOf(now), apiKeyId })).usageCents;
}

/**
 * Refuses a new session (402 spend_limit_reached) while the tenant's spend, or the creating key's,
 * is at or over its limit, or the scheduler marked the tenant's limit reached this period. Called
 * before the create transaction: the usage sums need their own connection, and holding one while
 * waiting for another under the tenant lock could exhaust the pool when many creates queue.
 */
export async function assertWithinSpendLimit(input: { tenantId: string; apiKeyId: string | null; now?: Date }): Promise<void> {
  const now = input.now ?? new Date();
  const scoped = tenantDb(input.tenantId);
  const billing = await scoped.tenantBilling.findFirst({ select: { spendLimitCents: true, spendLimitReachedAt: true } });
  if (billing?.spendLimitCents != null) {
    const spend = await periodSpendCents(input.tenantId, now);
    const marked = billing.spendLimitReachedAt !== null && isInPeriod(billing.spendLimitReachedAt, billingPeriodOf(now));
    if (marked || spend >= billing.spendLimitCents) throw spendLimitReached(TENANT_SCOPE, billing.spendLimitCents, spend);
  }
  if (input.apiKeyId) {
    const key = await scoped.apiKey.findFirst({ where: { id: input.apiKeyId }, select: { spendLimitCents: true } });
    if (key?.spendLimitCents != null) {
      const spend = await periodSpendCents(input.tenantId, now, input.apiKeyId);
      if (spend >= key.spendLimitCents) throw spendLimitReached(input.apiKeyId, key.spendLimitCents, spend);
    }
  }
}

/**
 * The check on waking a hibernated session, inside its transaction, from stored state only (no
 * usage sums): the tenant's limit counts as reached while spendLimitReachedAt is in this period; a
 * key's while this period has its 100 % alert, recorded at a limit not below the key's limit now.
 * Both are written by the scheduler's enforceSpendLimits, which also catches anything in between.
 */
export async function assertWakeWithinSpendLimit(tx: TenantTx | TenantDb, input: { apiKeyId: string | null; now?: Date }): Promise<void> {
  const period = billingPeriodOf(input.now ?? new Date());
  const fullAlert = (scope: string) => tx.budgetAlert.findFirst({ where: { scope, periodStart: period.start, threshold: 100 } });
  const billing = await tx.tenantBilling.findFirst({ select: { spendLimitCents: true, spendLimitReachedAt: true } });
  if (billing?.spendLimitCents != null && billing.spendLimitReachedAt && isInPeriod(billing.spendLimitReachedAt, period)) {
    const alert = await fullAlert(TENANT_SCOPE);
    throw spendLimitReached(TENANT_SCOPE, billing.spendLimitCents, alert?.spendCents ?? billing.spendLimitCents);
  }
  if (!input.apiKeyId) return;
  const key = await tx.apiKey.findFirst({ where: { id: input.apiKeyId }, select: { spendLimitCents: true } });
  if (key?.spendLimitCents == null) return;
  const alert = await fullAlert(input.apiKeyId);
  if (alert && alert.limitCents >= key.spendLimitCents) throw spendLimitReached(input.apiKeyId, key.spendLimitCents, alert.spendCents);
}
