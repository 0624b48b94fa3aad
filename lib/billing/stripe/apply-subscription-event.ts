// Subscription state from Stripe into tenant_billing. Stripe may deliver events late and out of
// order, so each carries its creation time and an event older than the last one applied
// (subscriptionUpdatedAt) changes nothing. The plan follows the subscription: while it is active
// (or trialing, or past due) the plan whose Stripe price is on it; once it has ended, free.
import type Stripe from "stripe";
import { recordAuditEvent } from "../../audit";
import type { TenantTx } from "../../db/tenant-scope";
import { planIdForStripePrices } from "./plan-prices";
import type { EventOutcome, StripeEventInfo } from "./webhook-types";

export const SUBSCRIPTION_EVENT_TYPES: string[] = [
  "customer.subscription.created",
  "customer.subscription.updated",
  "customer.subscription.deleted",
];

const PLAN_GRANTING_STATUSES = new Set(["active", "trialing", "past_due"]);
const ENDED_STATUSES = new Set(["canceled", "incomplete_expired", "unpaid"]);
const FREE_PLAN_ID = "free";

const stripeActor = { type: "system" as const, id: null, label: "stripe" };

async function setSubscription(tx: TenantTx, tenantId: string, info: StripeEventInfo, change: {
  subscriptionId: string; status: string; planId: string | null;
}): Promise<void> {
  const before = await tx.tenantBilling.findUnique({ where: { tenantId } });
  const planId = change.planId ?? before?.planId ?? FREE_PLAN_ID;
  const from = before?.planId ?? FREE_PLAN_ID;
  const data = { stripeSubscriptionId: change.subscriptionId, subscriptionStatus: change.status, subscriptionUpdatedAt: info.at, planId };
  // A new plan means new prices: the spend-limit mark is recomputed (as setTenantPlan does).
  const update = from === planId ? data : { ...data, spendLimitReachedAt: null };
  await tx.tenantBilling.upsert({ where: { tenantId }, create: { tenantId, ...data }, update });
  if (from !== planId) {
    await recordAuditEvent({ tenantId, actor: stripeActor, ip: null, db: tx }, {
      action: "billing.plan_changed", targetType: "plan", targetId: planId,
      metadata: { from, to: planId, subscriptionId: change.subscriptionId, stripeEventId: info.id },
    });
  }
}

export async function applySubscriptionEvent(tx: TenantTx, tenantId: string, info: StripeEventInfo, subscription: Stripe.Subscription): Promise<EventOutcome> {
  const billing = await tx.tenantBilling.findUnique({ where: { tenantId } });
  if (billing?.subscriptionUpdatedAt && info.at < billing.subscriptionUpdatedAt) return "ignored";
  const status = info.type === "customer.subscription.deleted" ? "canceled" : subscription.status;
  const isCurrent = !billing?.stripeSubscriptionId || billing.stripeSubscriptionId === subscription.id;
  // The end of a subscription the tenant has already replaced says nothing about the current one.
  if (!isCurrent && ENDED_STATUSES.has(status)) return "ignored";
  const priceIds = (subscription.items?.data ?? []).map((item) => item.price?.id).filter((id): id is string => Boolean(id));
  const planId =
    PLAN_GRANTING_STATUSES.has(status) ? await planIdForStripePrices(priceIds)
    : ENDED_STATUSES.has(status) ? FREE_PLAN_ID
    : null; // incomplete, paused: the plan stays as it is
  await setSubscription(tx, tenantId, info, { subscriptionId: subscription.id, status, planId });
  return "applied";
}

/**
 * Checkout finished: link the subscription it created when the tenant has none yet (or only an
 * ended one). Status and plan come from the subscription's own events; the link does not count as
 * a subscription update, so a customer.subscription.created that arrives after it still applies.
 */
export async function applyCheckoutCompleted(tx: TenantTx, tenantId: string, info: StripeEventInfo, session: Stripe.Checkout.Session): Promise<EventOutcome> {
  const subscriptionId = typeof session.subscription === "string" ? session.subscription : session.subscription?.id;
  if (session.mode !== "subscription" || !subscriptionId) return "ignored";
  const billing = await tx.tenantBilling.findUnique({ where: { tenantId } });
  const hasLiveSubscription = billing?.stripeSubscriptionId && !ENDED_STATUSES.has(billing.subscriptionStatus ?? "");
  if (billing?.stripeSubscriptionId === subscriptionId || hasLiveSubscription) return "ignored";
  await tx.tenantBilling.upsert({
    where: { tenantId },
    create: { tenantId, stripeSubscriptionId: subscriptionId },
    update: { stripeSubscriptionId: subscriptionId, subscriptionStatus: null },
  });
  return "applied";
}
