// The cost of a billing period so far: the tenant's metered usage (the hourly rollups, up to the
// last rollup run) priced with its plan. Used by the summary, spend limits and invoice drafts.
import { sumUsageByMeter } from "../usage";
import type { Meter } from "../usage/meters";
import { type BillingPeriod, forecastUsage, type PeriodCost, priceUsage } from "./cost-math";
import { getTenantPlan, type PricedPlan } from "./price-book";

export type PeriodCostInput = {
  tenantId: string;
  period: BillingPeriod;
  /** Only the sessions this API key created: no included amounts and no fee (those are the tenant's). */
  apiKeyId?: string;
  /** The tenant's plan when the caller has it already. */
  plan?: PricedPlan;
};

async function usageAndPricing(input: PeriodCostInput) {
  const plan = input.plan ?? (await getTenantPlan(input.tenantId));
  const usage = await sumUsageByMeter({ tenantId: input.tenantId, from: input.period.start, to: input.period.end, apiKeyId: input.apiKeyId });
  const tenantWide = !input.apiKeyId;
  const price = (u: Partial<Record<Meter, string>>) => priceUsage({ usage: u, prices: plan.prices, feeCents: tenantWide ? plan.monthlyFeeCents : 0, withIncluded: tenantWide });
  return { usage, price };
}

/**
 * Each meter's quantity in the period, minus the plan's included amount (tenant-wide cost only),
 * times the unit price, rounded half up to a cent per line; plus the monthly fee (tenant-wide).
 * The plan in force now prices the whole period.
 */
export async function computePeriodCost(input: PeriodCostInput): Promise<PeriodCost> {
  const { usage, price } = await usageAndPricing(input);
  return price(usage);
}

/** The period's cost, and its forecast: usage extrapolated linearly to the period's end (see forecastUsage), priced the same way, fee included. */
export async function computePeriodCostWithForecast(input: PeriodCostInput & { now: Date }): Promise<PeriodCost & { forecastCents: number }> {
  const { usage, price } = await usageAndPricing(input);
  return { ...price(usage), forecastCents: price(forecastUsage(usage, input.period, input.now)).totalCents };
}
