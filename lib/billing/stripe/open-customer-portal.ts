// A link to Stripe's customer portal (payment methods, invoices, plan changes and cancellation).
import { AppError } from "../../api/errors";
import { recordAuditEvent } from "../../audit";
import type { TenantContext } from "../../auth/context";
import { billingMode } from "../../env";
import { stripeClientOrThrow } from "./client";
import { ensureStripeCustomer } from "./customer";
import { callStripe } from "./stripe-errors";

export async function openCustomerPortal({ ctx, consoleBaseUrl }: { ctx: TenantContext; consoleBaseUrl: string }): Promise<{ url: string }> {
  if (billingMode() === "local") {
    throw new AppError("conflict", "Stripe is not configured: this installation runs in local billing mode, so there is no customer portal");
  }
  const customer = await callStripe(() => ensureStripeCustomer(ctx.tenantId));
  const session = await callStripe(() => stripeClientOrThrow().billingPortal.sessions.create({
    customer,
    return_url: `${consoleBaseUrl.replace(/\/+$/, "")}/t/${encodeURIComponent(ctx.tenantSlug)}/billing`,
  }));
  await recordAuditEvent(ctx, { action: "billing.portal_opened", targetType: "stripe_customer", targetId: customer });
  return { url: session.url };
}
