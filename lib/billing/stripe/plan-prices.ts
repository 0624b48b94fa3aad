// How plans map to Stripe prices. plans.stripe_price_id holds the plan's Stripe price, optionally
// followed by the metered prices its subscription should also carry, comma-separated:
//   "price_pro_monthly"                                   (fee only)
//   "price_pro_monthly,price_vcpu,price_mem,price_gpu,price_snap"   (fee, then metered prices)
// The first is the plan's own price: Checkout subscribes with quantity 1 and a subscription event
// maps back to the plan through it. The rest are usage-based (Billing meter) prices, added to
// Checkout without a quantity, so the meter events we push are invoiced on the same subscription.
import { db } from "../../db/client";

export type PlanStripePrices = { planPrice: string; meteredPrices: string[] };

export function parsePlanStripePrices(stripePriceId: string | null): PlanStripePrices | null {
  const ids = (stripePriceId ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  if (ids.length === 0) return null;
  return { planPrice: ids[0], meteredPrices: ids.slice(1) };
}

/** The plan whose own Stripe price is one of `priceIds` (a subscription's item prices), if any. */
export async function planIdForStripePrices(priceIds: string[]): Promise<string | null> {
  if (priceIds.length === 0) return null;
  // The price book is global (not tenant-owned).
  const plans = await db().plan.findMany({ where: { stripePriceId: { not: null } }, select: { id: true, stripePriceId: true } });
  for (const plan of plans) {
    const prices = parsePlanStripePrices(plan.stripePriceId);
    if (prices && priceIds.includes(prices.planPrice)) return plan.id;
  }
  return null;
}
