// The one Stripe client, created on first use from lib/env.ts. Every call to Stripe goes through the
// official SDK; STRIPE_API_HOST/PORT/PROTOCOL only move where it sends (tests use a local server).
import Stripe from "stripe";
import { AppError } from "../../api/errors";
import { env } from "../../env";

const holder = globalThis as unknown as { burrowStripe?: { config: string; client: Stripe } };

/** The configured client, or null in local billing mode (no STRIPE_SECRET_KEY). */
export function stripeClientOrNull(): Stripe | null {
  const key = env.STRIPE_SECRET_KEY;
  if (!key) return null;
  const options = {
    host: env.STRIPE_API_HOST,
    port: env.STRIPE_API_PORT,
    protocol: env.STRIPE_API_PROTOCOL,
    // Our own retries are durable (usage pushes back off in the database) and API callers can
    // retry; one quick SDK retry absorbs a dropped connection without holding a request long.
    maxNetworkRetries: 1,
    timeout: 15_000,
    telemetry: false,
  };
  const config = JSON.stringify([key, options]);
  if (holder.burrowStripe?.config !== config) holder.burrowStripe = { config, client: new Stripe(key, options) };
  return holder.burrowStripe.client;
}

export function stripeClientOrThrow(): Stripe {
  const client = stripeClientOrNull();
  if (!client) throw new AppError("conflict", "Stripe is not configured: this installation runs in local billing mode");
  return client;
}
