// One Stripe customer per tenant, created on first need and remembered in tenant_billing. The
// idempotency key is derived from the tenant id, so a retry after a lost answer (or two racing
// callers) gets the same customer back from Stripe instead of a second one.
import { db } from "../../db/client";
import { tenantDb } from "../../db/tenant-scope";
import { notFound } from "../../api/errors";
import { stripeClientOrThrow } from "./client";

export const customerIdempotencyKey = (tenantId: string) => `burrow_customer_${tenantId}`;

export async function ensureStripeCustomer(tenantId: string): Promise<string> {
  const scoped = tenantDb(tenantId);
  const billing = await scoped.tenantBilling.findUnique({ where: { tenantId } });
  if (billing?.stripeCustomerId) return billing.stripeCustomerId;
  // The tenant row itself is not tenant-owned; its name only labels the customer in Stripe.
  const tenant = await db().tenant.findUnique({ where: { id: tenantId }, select: { name: true, slug: true } });
  if (!tenant) throw notFound("Tenant");
  const customer = await stripeClientOrThrow().customers.create(
    { name: tenant.name, metadata: { tenant_id: tenantId, tenant_slug: tenant.slug } },
    { idempotencyKey: customerIdempotencyKey(tenantId) },
  );
  await scoped.tenantBilling.upsert({
    where: { tenantId },
    create: { tenantId, stripeCustomerId: customer.id },
    update: { stripeCustomerId: customer.id },
  });
  return customer.id;
}
