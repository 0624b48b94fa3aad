// Stripe's webhook deliveries: not under /api/v1 (no API key; the signature authenticates them).
// The raw body is read as is, since the signature covers its exact bytes.
import { endpoints } from "@/lib/api/endpoints";
import { readLimitedBytes } from "@/lib/api/read-body";
import { withApi } from "@/lib/api/with-api";
import { handleStripeWebhook } from "@/lib/billing/stripe";

export const POST = withApi(endpoints.stripeWebhook, async ({ req }) => {
  const payload = Buffer.from(await readLimitedBytes(req, endpoints.stripeWebhook.rawBody!.maxBytes)).toString("utf8");
  return handleStripeWebhook({ payload, signature: req.headers.get("stripe-signature") });
});
