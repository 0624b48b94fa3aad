// What a failed Stripe call means for us: worth retrying (Stripe unreachable, 5xx, rate limited) or
// refused for good until something changes (4xx: bad price, unknown meter, revoked key).
import Stripe from "stripe";
import { AppError } from "../../api/errors";

const TRANSIENT_TYPES = new Set(["StripeConnectionError", "StripeAPIError", "StripeRateLimitError"]);

export function isTransientStripeError(err: unknown): boolean {
  if (!(err instanceof Stripe.errors.StripeError)) return true;
  if (TRANSIENT_TYPES.has(err.type)) return true;
  // 409 without an idempotency mismatch: another request with the same key is still in flight.
  if (err.statusCode === 409 && err.type !== "StripeIdempotencyError") return true;
  return (err.statusCode ?? 500) >= 500;
}

/**
 * Stripe refuses a meter event whose identifier it already holds (400 "An event already exists
 * with identifier …"): for us that means delivered, since identifiers are derived from what they count.
 */
export function isDuplicateMeterEvent(err: unknown): boolean {
  return err instanceof Stripe.errors.StripeError && err.statusCode === 400
    && (err.code === "duplicate_meter_event" || /already exists with identifier/i.test(err.message));
}

/** A short, storable description of a failed call (status, Stripe's error type and message). */
export function describeStripeError(err: unknown): string {
  if (err instanceof Stripe.errors.StripeError) {
    return `${err.statusCode ?? "no response"} ${err.type}: ${err.message}`.slice(0, 1000);
  }
  return (err instanceof Error ? err.message : String(err)).slice(0, 1000);
}

/** Runs one call to Stripe during a caller's request; a Stripe failure becomes the API's answer (503 or 409). */
export async function callStripe<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (!(err instanceof Stripe.errors.StripeError)) throw err;
    if (isTransientStripeError(err)) {
      throw new AppError("unavailable", "Stripe cannot be reached right now; retry shortly", { headers: { "Retry-After": "10" } });
    }
    throw new AppError("conflict", `Stripe refused the request: ${err.message}`);
  }
}
