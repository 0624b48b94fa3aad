// Stripe webhooks (POST /api/webhooks/stripe). What happens to a delivery:
//  - no or bad Stripe-Signature (checked against STRIPE_WEBHOOK_SECRET with the SDK, 5 min
//    tolerance), or one timestamped more than 5 min ahead of our clock (the SDK checks age only,
//    so a signature made for the future would replay until then): 400, nothing stored;
//  - an event id already processed (Stripe retries, replays): 200 "duplicate", not applied again;
//  - otherwise the event id is stored in stripe_events and the event applied in the same
//    transaction (so a failure stores neither, answers 500 and Stripe retries): subscription and
//    invoice events update tenant_billing and invoices unless a newer event already did (Stripe
//    does not deliver in order); checkout.session.completed links the subscription;
//  - types we do not use, and events for customers that are not ours: 200 "ignored", recorded.
import Stripe from "stripe";
import { AppError } from "../../api/errors";
import { db } from "../../db/client";
import { tenantDb } from "../../db/tenant-scope";
import { env } from "../../env";
import { applyInvoiceEvent, INVOICE_EVENT_TYPES } from "./apply-invoice-event";
import { applyCheckoutCompleted, applySubscriptionEvent, SUBSCRIPTION_EVENT_TYPES } from "./apply-subscription-event";
import type { EventOutcome, StripeEventInfo } from "./webhook-types";

export type WebhookResult = { received: true; outcome: "applied" | "ignored" | "duplicate" };

/** Stripe's default tolerance, both ways: a signature older, or newer, than this is refused. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

/** The `t=` of a Stripe-Signature header (seconds since the epoch), or null when it has none. */
export function signatureTimestamp(signature: string): number | null {
  const t = signature.split(",").map((part) => part.trim()).find((part) => part.startsWith("t="))?.slice(2);
  return t && /^\d{1,12}$/.test(t) ? Number(t) : null;
}

export function verifyStripeEvent(payload: string, signature: string | null): Stripe.Event {
  const secret = env.STRIPE_WEBHOOK_SECRET;
  if (!secret) throw new AppError("conflict", "Stripe webhooks are not configured on this installation (STRIPE_WEBHOOK_SECRET is not set)");
  if (!signature) throw new AppError("invalid_request", "The Stripe-Signature header is missing");
  let event: Stripe.Event;
  try {
    event = Stripe.webhooks.constructEvent(payload, signature, secret, SIGNATURE_TOLERANCE_SECONDS);
  } catch (err) {
    if (err instanceof Stripe.errors.StripeSignatureVerificationError) {
      throw new AppError("invalid_request", "The Stripe-Signature header does not match this payload and the webhook secret");
    }
    throw new AppError("invalid_request", "The payload is not a Stripe event");
  }
  // The signature is verified, so its timestamp is Stripe's; only the future side is left to check.
  const signedAt = signatureTimestamp(signature);
  if (signedAt === null || signedAt > Date.now() / 1000 + SIGNATURE_TOLERANCE_SECONDS) {
    throw new AppError("invalid_request", "The Stripe-Signature timestamp is more than 5 minutes ahead of this server's clock");
  }
  return event;
}

const customerIdOf = (value: unknown): string | null =>
  typeof value === "string" ? value : value && typeof value === "object" && "id" in value ? String((value as { id: unknown }).id) : null;

/** The tenant an event is about: by its Stripe customer, which only our own tenants have. */
async function tenantForEvent(event: Stripe.Event): Promise<string | null> {
  const object = event.data.object as { customer?: unknown; client_reference_id?: unknown };
  const customerId = customerIdOf(object.customer);
  if (!customerId) return null;
  // The customer id decides the tenant (a lookup across tenants, like an API key's hash).
  const billing = await db().tenantBilling.findUnique({ where: { stripeCustomerId: customerId }, select: { tenantId: true } });
  return billing?.tenantId ?? null;
}

const HANDLED = new Set<string>([...SUBSCRIPTION_EVENT_TYPES, ...INVOICE_EVENT_TYPES, "checkout.session.completed"]);

export async function handleStripeWebhook({ payload, signature }: { payload: string; signature: string | null }): Promise<WebhookResult> {
  const event = verifyStripeEvent(payload, signature);
  const info: StripeEventInfo = { id: event.id, type: event.type, at: new Date(event.created * 1000) };
  const tenantId = HANDLED.has(event.type) ? await tenantForEvent(event) : null;
  if (!tenantId) {
    // A type we do not use, or a customer that is not one of our tenants'.
    const stored = await db().$executeRaw`
      INSERT INTO stripe_events (id, type, created_at, processed_at, outcome)
      VALUES (${info.id}, ${info.type}, ${info.at}, now() AT TIME ZONE 'UTC', 'ignored')
      ON CONFLICT (id) DO NOTHING`;
    return { received: true, outcome: stored ? "ignored" : "duplicate" };
  }
  return tenantDb(tenantId).$transaction(async (tx) => {
    // Stored first: a concurrent delivery of the same event waits on this row, then sees it.
    const stored = await tx.$executeRaw`
      INSERT INTO stripe_events (id, type, created_at) VALUES (${info.id}, ${info.type}, ${info.at})
      ON CONFLICT (id) DO NOTHING`;
    if (!stored) return { received: true as const, outcome: "duplicate" as const };
    const object = event.data.object;
    let outcome: EventOutcome;
    if (SUBSCRIPTION_EVENT_TYPES.includes(event.type)) outcome = await applySubscriptionEvent(tx, tenantId, info, object as Stripe.Subscription);
    else if (INVOICE_EVENT_TYPES.includes(event.type)) outcome = await applyInvoiceEvent(tx, tenantId, info, object as Stripe.Invoice);
    else outcome = await applyCheckoutCompleted(tx, tenantId, info, object as Stripe.Checkout.Session);
    await tx.$executeRaw`UPDATE stripe_events SET processed_at = now() AT TIME ZONE 'UTC', outcome = ${outcome} WHERE id = ${info.id}`;
    return { received: true as const, outcome };
  });
}
