// The Stripe tests' switchboard: the official SDK pointed at a FakeStripe on 127.0.0.1 (Stripe
// mode), or no STRIPE_SECRET_KEY (local billing mode). lib/env.ts reads the environment once, so
// the tests set the parsed values; each test file runs in its own worker with its own `env`.
import Stripe from "stripe";
import { afterAll, beforeAll } from "vitest";
import { tenantDb } from "@/lib/db/tenant-scope";
import { env } from "@/lib/env";
import { newId } from "@/lib/ids";
import { FakeStripe } from "./fake-stripe";

export const WEBHOOK_SECRET = "whsec_test_burrow_0123456789";
export const fake = new FakeStripe();

export function stripeMode() {
  Object.assign(env, {
    STRIPE_SECRET_KEY: "sk_test_burrow_0123456789", STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
    STRIPE_API_HOST: "127.0.0.1", STRIPE_API_PORT: fake.port, STRIPE_API_PROTOCOL: "http",
  });
}

export function localMode() {
  env.STRIPE_SECRET_KEY = undefined;
}

/** Starts the fake for this file, in Stripe mode; restores the environment afterwards. */
export function useFakeStripe() {
  const saved = { ...env };
  beforeAll(async () => {
    await fake.start();
    stripeMode();
  });
  afterAll(async () => {
    Object.assign(env, saved);
    await fake.stop();
  });
}

/** A Stripe event as Stripe sends it, with a Stripe-Signature from the SDK's own test helper. */
export function signedEvent(type: string, object: Record<string, unknown>, opts: { created?: number; id?: string; secret?: string } = {}) {
  const event = {
    id: opts.id ?? `evt_${newId("req").slice(4)}`, object: "event", api_version: Stripe.API_VERSION,
    created: opts.created ?? Math.floor(Date.now() / 1000), livemode: false, pending_webhooks: 1,
    request: { id: null, idempotency_key: null }, type, data: { object },
  };
  const payload = JSON.stringify(event);
  const signature = Stripe.webhooks.generateTestHeaderString({ payload, secret: opts.secret ?? WEBHOOK_SECRET });
  return { event, payload, headers: { "stripe-signature": signature, "content-type": "application/json" } };
}

/** Gives the tenant a Stripe customer id without calling Stripe (webhook tests). */
export async function linkCustomer(tenantId: string): Promise<string> {
  const customerId = `cus_${newId("req").slice(4)}`;
  await tenantDb(tenantId).tenantBilling.upsert({ where: { tenantId }, create: { tenantId, stripeCustomerId: customerId }, update: { stripeCustomerId: customerId } });
  return customerId;
}
