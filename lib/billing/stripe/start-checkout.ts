// Changing plan. With Stripe: a Checkout session subscribing the tenant's customer to the plan's
// price (the plan changes when Stripe's subscription webhook arrives). In local billing mode the
// plan changes at once: nothing is charged, so there is nothing to confirm.
import type { z } from "zod";
import { AppError } from "../../api/errors";
import { recordAuditEvent } from "../../audit";
import type { TenantContext } from "../../auth/context";
import { billingMode } from "../../env";
import { findPlan } from "../price-book";
import { setTenantPlan } from "../set-tenant-plan";
import { stripeClientOrThrow } from "./client";
import { ensureStripeCustomer } from "./customer";
import { parsePlanStripePrices } from "./plan-prices";
import type { checkoutSchema } from "./schemas";
import { callStripe } from "./stripe-errors";

/** Subscription states in which a second subscription must not be started (change it in the portal). */
export const LIVE_SUBSCRIPTION_STATUSES = new Set(["active", "trialing", "past_due", "unpaid", "paused"]);

type CheckoutResult = { url: string } | { planId: string; applied: true };

export async function startCheckout({ ctx, input, consoleBaseUrl }: {
  ctx: TenantContext;
  input: z.infer<typeof checkoutSchema>;
  /** Where people reach the console (lib/api/public-url.ts). */
  consoleBaseUrl: string;
}): Promise<CheckoutResult> {
  const plan = await findPlan(input.planId);
  if (!plan) {
    throw new AppError("invalid_request", `No plan '${input.planId}'`, { details: { fields: [{ path: "planId", message: "unknown plan" }] } });
  }
  if (billingMode() === "local") {
    await setTenantPlan({ ctx, input: { planId: plan.id } });
    return { planId: plan.id, applied: true };
  }

  const prices = parsePlanStripePrices(plan.stripePriceId);
  if (!prices) {
    throw new AppError("conflict", `The ${plan.name} plan has no Stripe price yet, so it cannot be bought through Checkout; a platform admin sets plans.stripe_price_id`, {
      details: { planId: plan.id },
    });
  }
  const billing = await ctx.db.tenantBilling.findUnique({ where: { tenantId: ctx.tenantId } });
  if (billing?.stripeSubscriptionId && LIVE_SUBSCRIPTION_STATUSES.has(billing.subscriptionStatus ?? "")) {
    throw new AppError("conflict", "This tenant already has a Stripe subscription; change or cancel it in the customer portal (POST /api/v1/billing/portal)", {
      details: { subscriptionStatus: billing.subscriptionStatus },
    });
  }
  const customer = await callStripe(() => ensureStripeCustomer(ctx.tenantId));
  const billingPage = `${consoleBaseUrl.replace(/\/+$/, "")}/t/${encodeURIComponent(ctx.tenantSlug)}/billing`;
  const metadata = { tenant_id: ctx.tenantId, plan_id: plan.id };
  const session = await callStripe(() => stripeClientOrThrow().checkout.sessions.create({
    mode: "subscription",
    customer,
    client_reference_id: ctx.tenantId,
    line_items: [{ price: prices.planPrice, quantity: 1 }, ...prices.meteredPrices.map((price) => ({ price }))],
    success_url: `${billingPage}?checkout=success`,
    cancel_url: `${billingPage}?checkout=canceled`,
    metadata,
    subscription_data: { metadata },
  }));
  if (!session.url) throw new AppError("unavailable", "Stripe did not return a Checkout URL; retry shortly", { headers: { "Retry-After": "10" } });
  await recordAuditEvent(ctx, {
    action: "billing.checkout_started", targetType: "plan", targetId: plan.id,
    metadata: { checkoutSessionId: session.id, from: billing?.planId ?? "free", to: plan.id },
  });
  return { url: session.url };
}
