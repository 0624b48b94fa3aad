// Usage goes to Stripe as Billing meter events, one per tenant, closed hour and meter. Two steps,
// both driven by the database so a crash anywhere loses and duplicates nothing:
//  1. enqueue: every closed tenant-hour-meter total becomes one usage_pushes row whose identifier
//     is derived from (tenant, meter, hour); the row is unique per tenant+hour+meter and inserted
//     with ON CONFLICT DO NOTHING, so re-running never makes a second one.
//  2. send: due pending rows are claimed (a short lease in next_attempt_at, so a second scheduler
//     skips them) and sent with that identifier as both the meter event's identifier and the
//     request's Idempotency-Key. If we crash after Stripe accepted an event but before marking the
//     row sent, the lease runs out and the same identifier goes again: Stripe drops it as a
//     duplicate. Failures back off exponentially (30 s doubling, at most 1 h), durable in the row.
import { AppError } from "../../api/errors";
import { db } from "../../db/client";
import { closedUsageHours, type ClosedUsageCursor } from "../../usage";
import { billingMode } from "../../env";
import { stripeClientOrThrow } from "./client";
import { ensureStripeCustomer } from "./customer";
import { describeStripeError, isDuplicateMeterEvent, isTransientStripeError } from "./stripe-errors";

const CLAIM_LEASE_SECONDS = 120;
const FIRST_RETRY_SECONDS = 30;
const MAX_RETRY_SECONDS = 3600;
/** Stripe refuses meter events older than 35 days: hours older than 34 are recorded as skipped, */
const STRIPE_MAX_AGE_DAYS = 34;
/** and a push still pending at 35 days (less an hour's margin) can no longer be sent. */
const STRIPE_MAX_AGE_DAYS_HARD = 35 - 1 / 24;
const SEND_CONCURRENCY = 4;
const NOW = `(now() AT TIME ZONE 'UTC')`;

/** The meter event identifier (and Idempotency-Key) of one tenant-hour-meter: stable across runs. */
export function usagePushIdentifier(tenantId: string, meter: string, hour: Date): string {
  return `burrow_${tenantId}_${meter}_${hour.toISOString().replace(/\.\d{3}Z$/, "Z")}`;
}

/** Seconds to wait before attempt `attempts + 1`, after `attempts` failed ones. */
export function retryDelaySeconds(attempts: number): number {
  return Math.min(MAX_RETRY_SECONDS, FIRST_RETRY_SECONDS * 2 ** Math.max(0, attempts - 1));
}

/** "3600.000000" → "3600", "0.500000" → "0.5": Stripe's meter event value, exact. */
export function meterValue(quantity: string): string {
  return quantity.includes(".") ? quantity.replace(/0+$/, "").replace(/\.$/, "") : quantity;
}

/**
 * One usage_pushes row per closed tenant-hour-meter not yet recorded (closedUsageHours: totals of
 * hours the rollup has made final). Zero totals, hours too old for Stripe and everything in local
 * billing mode are recorded as skipped, never sent; in local mode this also keeps usage from
 * before Stripe was configured from being billed once it is.
 */
export async function enqueueUsagePushes({ since, maxRows = 20_000, pageSize = 1000, tenantIds }: {
  /** Read closed hours from here on (default: the newest hour already recorded, see below). */
  since?: Date;
  maxRows?: number;
  pageSize?: number;
  /** Only these tenants' hours (tests); the scheduler passes none, which means all. */
  tenantIds?: string[];
} = {}): Promise<number> {
  const local = billingMode() === "local";
  // Hours close in order and each run records the oldest first, so every hour before the newest
  // one recorded is complete: reading from that hour (inclusive) on is enough.
  const recorded = await db().usagePush.aggregate({ _max: { hour: true }, where: tenantIds ? { tenantId: { in: tenantIds } } : {} });
  const from = since ?? recorded._max.hour ?? undefined;
  const tooOldBefore = Date.now() - STRIPE_MAX_AGE_DAYS * 86_400_000;
  let after: ClosedUsageCursor | undefined;
  let created = 0;
  for (let read = 0, pages = 0; read < maxRows && pages < 1000; pages++) {
    const page = await closedUsageHours({ after, since: from, limit: pageSize, tenantIds });
    if (page.data.length > 0) {
      const rows = page.data.map((total) => {
        const skipReason = local ? "local billing mode"
          : total.hour.getTime() < tooOldBefore ? "older than Stripe accepts meter events"
          : meterValue(total.quantity) === "0" ? "zero usage"
          : null;
        return {
          identifier: usagePushIdentifier(total.tenantId, total.meter, total.hour),
          tenantId: total.tenantId, hour: total.hour, meter: total.meter, quantity: total.quantity,
          status: skipReason ? "skipped" : "pending", lastError: skipReason,
        };
      });
      // The system acts for every tenant here; ON CONFLICT DO NOTHING keeps one row per tenant-hour-meter.
      created += (await db().usagePush.createMany({ data: rows, skipDuplicates: true })).count;
    }
    read += page.data.length;
    if (!page.next) break;
    after = page.next;
  }
  return created;
}

type ClaimedPush = { identifier: string; tenant_id: string; hour: Date; meter: string; quantity: string; attempts: number; event_name: string };

/** Takes up to `limit` due pending pushes for this run (others skip them until the lease ends). */
async function claimDuePushes(limit: number, tenantIds: string[] | null): Promise<ClaimedPush[]> {
  return db().$queryRawUnsafe<ClaimedPush[]>(`
    WITH due AS (
      SELECT identifier FROM usage_pushes
      WHERE status = 'pending' AND next_attempt_at <= ${NOW} AND ($2::text[] IS NULL OR tenant_id = ANY($2::text[]))
      ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED
    )
    UPDATE usage_pushes p SET next_attempt_at = ${NOW} + make_interval(secs => ${CLAIM_LEASE_SECONDS})
    FROM due WHERE p.identifier = due.identifier
    RETURNING p.identifier, p.tenant_id, p.hour, p.meter, p.quantity::text AS quantity, p.attempts,
      coalesce(
        (SELECT pp.stripe_event_name FROM plan_prices pp
           WHERE pp.meter = p.meter AND pp.plan_id = coalesce((SELECT tb.plan_id FROM tenant_billing tb WHERE tb.tenant_id = p.tenant_id), 'free')),
        'burrow_' || p.meter) AS event_name`, limit, tenantIds);
}

async function markSent(identifier: string): Promise<void> {
  await db().$executeRawUnsafe(`
    UPDATE usage_pushes SET status = 'sent', sent_at = ${NOW}, attempts = attempts + 1, last_error = NULL
    WHERE identifier = $1 AND status = 'pending'`, identifier);
}

async function markSkipped(identifier: string, reason: string): Promise<void> {
  await db().$executeRawUnsafe(`
    UPDATE usage_pushes SET status = 'skipped', last_error = $2 WHERE identifier = $1 AND status = 'pending'`, identifier, reason);
}

async function markFailed(push: ClaimedPush, error: string): Promise<void> {
  await db().$executeRawUnsafe(`
    UPDATE usage_pushes SET attempts = attempts + 1, last_error = $2,
      next_attempt_at = ${NOW} + make_interval(secs => $3)
    WHERE identifier = $1 AND status = 'pending'`, push.identifier, error, retryDelaySeconds(push.attempts + 1));
}

/**
 * Sends due pending pushes. A failure of any kind is recorded on the row and retried after the
 * back-off: Stripe unreachable, 5xx and 429 clear up by themselves; a 4xx (unknown meter event
 * name, revoked key) needs the operator to fix the configuration, after which the next attempt
 * (at most an hour later) goes through. last_error says which. A push still failing when its
 * hour passes Stripe's 35 days can never be sent: it is marked skipped ("expired") and counted.
 */
export async function sendPendingUsagePushes({ limit = 500, tenantIds }: { limit?: number; tenantIds?: string[] } = {}): Promise<{ sent: number; failed: number; expired: number }> {
  if (billingMode() === "local") return { sent: 0, failed: 0, expired: 0 };
  const stripe = stripeClientOrThrow();
  const pushes = await claimDuePushes(limit, tenantIds ?? null);
  const customers = new Map<string, Promise<string>>();
  const customerOf = (tenantId: string) => {
    if (!customers.has(tenantId)) customers.set(tenantId, ensureStripeCustomer(tenantId));
    return customers.get(tenantId)!;
  };
  let sent = 0;
  let failed = 0;
  let expired = 0;
  const expiredBefore = Date.now() - STRIPE_MAX_AGE_DAYS_HARD * 86_400_000;
  const sendOne = async (push: ClaimedPush) => {
    if (push.hour.getTime() < expiredBefore) {
      await markSkipped(push.identifier, "expired: older than Stripe accepts meter events (35 days), never sent");
      expired += 1;
      return;
    }
    try {
      const customer = await customerOf(push.tenant_id);
      await stripe.billing.meterEvents.create({
        event_name: push.event_name,
        payload: { stripe_customer_id: customer, value: meterValue(push.quantity) },
        identifier: push.identifier,
        timestamp: Math.floor(push.hour.getTime() / 1000),
      }, { idempotencyKey: push.identifier });
      await markSent(push.identifier);
      sent += 1;
    } catch (err) {
      if (isDuplicateMeterEvent(err)) {
        // Stripe already holds this identifier: it was sent before and the answer was lost.
        await markSent(push.identifier);
        sent += 1;
        return;
      }
      if (err instanceof AppError && err.code === "not_found") {
        await markSkipped(push.identifier, "tenant deleted: no one to bill");
        return;
      }
      const kind = isTransientStripeError(err) ? "retrying" : "refused";
      await markFailed(push, `${kind}: ${describeStripeError(err)}`);
      failed += 1;
    }
  };
  for (let i = 0; i < pushes.length; i += SEND_CONCURRENCY) {
    await Promise.all(pushes.slice(i, i + SEND_CONCURRENCY).map(sendOne));
  }
  return { sent, failed, expired };
}

/** The scheduler job: record newly closed hours, then send what is due. Tests scope it to their tenants. */
export async function pushUsageToStripe(scope: { tenantIds?: string[] } = {}): Promise<{ enqueued: number; sent: number; failed: number; expired: number }> {
  const enqueued = await enqueueUsagePushes({ tenantIds: scope.tenantIds });
  return { enqueued, ...(await sendPendingUsagePushes({ tenantIds: scope.tenantIds })) };
}
