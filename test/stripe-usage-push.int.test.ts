// Usage to Stripe: one Billing meter event per tenant, closed hour and meter, with a stable
// identifier, whatever happens: the job running twice, a crash between Stripe's answer and our
// mark, Stripe down or answering 500, Stripe refusing the event for good. The official SDK talks
// to a local fake of Stripe's API that records what it is sent.
import Stripe from "stripe";
import { beforeAll, describe, expect, it } from "vitest";
import { ensureStripeCustomer } from "@/lib/billing/stripe";
import { customerIdempotencyKey } from "@/lib/billing/stripe/customer";
import { enqueueUsagePushes, pushUsageToStripe, retryDelaySeconds, sendPendingUsagePushes, usagePushIdentifier } from "@/lib/billing/stripe/push-usage";
import { db } from "@/lib/db/client";
import { tenantDb } from "@/lib/db/tenant-scope";
import { advanceClosedThrough } from "@/lib/usage/rollup-state";
import { insertUsage } from "./billing-fixtures";
import { createTestTenant } from "./helpers";
import { fake, localMode, stripeMode, useFakeStripe } from "./stripe-test-env";

const HOUR = 3_600_000;
useFakeStripe();

// Hours that have certainly closed: the rollup closes an hour a few minutes after it ends.
const thisHour = Math.floor(Date.now() / HOUR) * HOUR;
const H = new Date(thisHour - 3 * HOUR);
const H2 = new Date(thisHour - 2 * HOUR);
beforeAll(async () => {
  await advanceClosedThrough(new Date(thisHour - HOUR));
});

const meterEventsFor = (customer: string) =>
  fake.requestsTo("/v1/billing/meter_events").filter((r) => (r.body.payload as Record<string, string>)?.stripe_customer_id === customer);
const pushesOf = (tenantId: string) => tenantDb(tenantId).usagePush.findMany({ orderBy: [{ hour: "asc" }, { meter: "asc" }] });

/** A crash after Stripe accepted the event and before we marked it: the row is pending, its lease run out. */
const loseTheMark = (identifier: string) =>
  db().usagePush.update({ where: { identifier }, data: { status: "pending", sentAt: null, nextAttemptAt: new Date(Date.now() - 1000) } });
const makeDue = (identifier: string) => db().usagePush.update({ where: { identifier }, data: { nextAttemptAt: new Date(Date.now() - 1000) } });

describe("Stripe customers", () => {
  it("creates one customer per tenant, once, with an idempotency key from the tenant id", async () => {
    const t = await createTestTenant();
    const [a, b] = await Promise.all([ensureStripeCustomer(t.id), ensureStripeCustomer(t.id)]);
    const again = await ensureStripeCustomer(t.id);
    expect(a).toBe(b);
    expect(again).toBe(a);
    const sent = fake.requestsTo("/v1/customers").filter((r) => (r.body.metadata as Record<string, string>)?.tenant_id === t.id);
    expect(sent.length).toBeGreaterThanOrEqual(1);
    expect(sent.length).toBeLessThanOrEqual(2); // the two racing calls; the third found the stored id
    for (const r of sent) {
      expect(r.idempotencyKey).toBe(customerIdempotencyKey(t.id));
      expect(r.stripeVersion).toBe(Stripe.API_VERSION);
      expect(r.body).toMatchObject({ name: `Tenant ${t.slug}`, metadata: { tenant_id: t.id, tenant_slug: t.slug } });
    }
    expect([...fake.customers.values()].filter((c) => (c.metadata as Record<string, string>).tenant_id === t.id)).toHaveLength(1);
    expect(await tenantDb(t.id).tenantBilling.findUnique({ where: { tenantId: t.id } })).toMatchObject({ planId: "free", stripeCustomerId: a });
  });
});

describe("usage pushed as Stripe meter events", () => {
  it("sends exactly one meter event per tenant-hour-meter, however often the job runs", async () => {
    const t = await createTestTenant();
    const other = await createTestTenant();
    await insertUsage(t.id, [
      { meter: "vcpu_seconds", hour: H, quantity: "3600" },
      { meter: "vcpu_seconds", hour: H, quantity: "1800.5" },
      { meter: "memory_gib_seconds", hour: H, quantity: "7200.25" },
      { meter: "gpu_seconds", hour: H, quantity: "0", dimension: "a100" },
      { meter: "vcpu_seconds", hour: H2, quantity: "60" },
      // Not closed yet: not pushed.
      { meter: "vcpu_seconds", hour: new Date(thisHour), quantity: "99" },
    ]);
    await insertUsage(other.id, [{ meter: "vcpu_seconds", hour: H, quantity: "10" }]);

    expect(await enqueueUsagePushes({ since: H, tenantIds: [t.id, other.id] })).toBe(5);
    await sendPendingUsagePushes({ tenantIds: [t.id, other.id] });
    expect(await enqueueUsagePushes({ since: H, tenantIds: [t.id, other.id] })).toBe(0);
    await sendPendingUsagePushes({ tenantIds: [t.id, other.id] });
    await pushUsageToStripe({ tenantIds: [t.id, other.id] });

    const customer = await ensureStripeCustomer(t.id);
    const sent = meterEventsFor(customer);
    const expected = [
      { meter: "vcpu_seconds", hour: H, value: "5400.5" },
      { meter: "memory_gib_seconds", hour: H, value: "7200.25" },
      { meter: "vcpu_seconds", hour: H2, value: "60" },
    ];
    expect(sent).toHaveLength(expected.length);
    for (const e of expected) {
      const identifier = usagePushIdentifier(t.id, e.meter, e.hour);
      expect(identifier).toBe(`burrow_${t.id}_${e.meter}_${e.hour.toISOString().replace(".000Z", "Z")}`);
      const request = sent.find((r) => r.body.identifier === identifier)!;
      expect(request.idempotencyKey).toBe(identifier);
      expect(request.body).toEqual({
        event_name: `burrow_${e.meter}`,
        payload: { stripe_customer_id: customer, value: e.value },
        identifier,
        timestamp: String(e.hour.getTime() / 1000),
      });
    }
    const pushes = await pushesOf(t.id);
    expect(pushes.map((p) => [p.meter, p.hour.getTime(), p.status, p.attempts, p.quantity.toString()])).toEqual([
      ["gpu_seconds", H.getTime(), "skipped", 0, "0"],
      ["memory_gib_seconds", H.getTime(), "sent", 1, "7200.25"],
      ["vcpu_seconds", H.getTime(), "sent", 1, "5400.5"],
      ["vcpu_seconds", H2.getTime(), "sent", 1, "60"],
    ]);
    // The other tenant's usage went to its own customer, apart.
    expect(meterEventsFor(await ensureStripeCustomer(other.id)).map((r) => (r.body.payload as Record<string, string>).value)).toEqual(["10"]);
  });

  it("re-sends the same identifier after a crash between Stripe's answer and our mark: Stripe keeps one event", async () => {
    const t = await createTestTenant();
    await insertUsage(t.id, [{ meter: "vcpu_seconds", hour: H2, quantity: "42" }]);
    await enqueueUsagePushes({ since: H2, tenantIds: [t.id] });
    await sendPendingUsagePushes({ tenantIds: [t.id] });
    const identifier = usagePushIdentifier(t.id, "vcpu_seconds", H2);
    const customer = await ensureStripeCustomer(t.id);

    // Within Stripe's 24 h idempotency window: the same key replays the first answer.
    await loseTheMark(identifier);
    await sendPendingUsagePushes({ tenantIds: [t.id] });
    // Later (key forgotten): Stripe refuses the identifier it already holds; that too means delivered.
    await loseTheMark(identifier);
    fake.forgetIdempotencyKeys();
    await sendPendingUsagePushes({ tenantIds: [t.id] });

    const sent = meterEventsFor(customer);
    expect(sent).toHaveLength(3);
    expect(new Set(sent.map((r) => r.body.identifier))).toEqual(new Set([identifier]));
    expect(new Set(sent.map((r) => r.idempotencyKey))).toEqual(new Set([identifier]));
    expect([...fake.meterEvents.values()].filter((e) => e.identifier === identifier)).toHaveLength(1);
    expect(await db().usagePush.findUniqueOrThrow({ where: { identifier } })).toMatchObject({ status: "sent", lastError: null });
  });

  it("keeps pushes pending with back-off while Stripe is down or failing, then sends each once", async () => {
    const t = await createTestTenant();
    await ensureStripeCustomer(t.id);
    await insertUsage(t.id, [{ meter: "memory_gib_seconds", hour: H2, quantity: "123.456789" }]);
    await enqueueUsagePushes({ since: H2, tenantIds: [t.id] });
    const identifier = usagePushIdentifier(t.id, "memory_gib_seconds", H2);

    await fake.down();
    try {
      const before = Date.now();
      await sendPendingUsagePushes({ tenantIds: [t.id] });
      let row = await db().usagePush.findUniqueOrThrow({ where: { identifier } });
      expect(row).toMatchObject({ status: "pending", attempts: 1 });
      expect(row.lastError).toMatch(/^retrying: /);
      expect(row.nextAttemptAt.getTime()).toBeGreaterThanOrEqual(before + retryDelaySeconds(1) * 1000 - 2000);
      // Not due yet: a run now leaves it alone.
      await sendPendingUsagePushes({ tenantIds: [t.id] });
      expect((await db().usagePush.findUniqueOrThrow({ where: { identifier } })).attempts).toBe(1);

      await fake.start();
      fake.failWith(500);
      await makeDue(identifier);
      const second = Date.now();
      await sendPendingUsagePushes({ tenantIds: [t.id] });
      row = await db().usagePush.findUniqueOrThrow({ where: { identifier } });
      expect(row).toMatchObject({ status: "pending", attempts: 2 });
      expect(row.lastError).toMatch(/^retrying: 500 StripeAPIError/);
      expect(row.nextAttemptAt.getTime()).toBeGreaterThanOrEqual(second + retryDelaySeconds(2) * 1000 - 2000);
    } finally {
      fake.failWith(null);
      await fake.start().catch(() => {});
    }
    await makeDue(identifier);
    await sendPendingUsagePushes({ tenantIds: [t.id] });
    await sendPendingUsagePushes({ tenantIds: [t.id] });
    const customer = await ensureStripeCustomer(t.id);
    const accepted = [...fake.meterEvents.values()].filter((e) => e.identifier === identifier);
    expect(accepted).toEqual([expect.objectContaining({ payload: { stripe_customer_id: customer, value: "123.456789" } })]);
    expect(await db().usagePush.findUniqueOrThrow({ where: { identifier } })).toMatchObject({ status: "sent", attempts: 3, lastError: null });
  });

  it("records a refusal (4xx) and backs off; once Stripe is configured right the push goes through", async () => {
    const t = await createTestTenant();
    await insertUsage(t.id, [{ meter: "gpu_seconds", hour: H2, quantity: "7", dimension: "a100" }]);
    await enqueueUsagePushes({ since: H2, tenantIds: [t.id] });
    const identifier = usagePushIdentifier(t.id, "gpu_seconds", H2);
    fake.refuseEventNames.add("burrow_gpu_seconds");
    try {
      await sendPendingUsagePushes({ tenantIds: [t.id] });
    } finally {
      fake.refuseEventNames.delete("burrow_gpu_seconds");
    }
    const row = await db().usagePush.findUniqueOrThrow({ where: { identifier } });
    expect(row).toMatchObject({ status: "pending", attempts: 1 });
    expect(row.lastError).toMatch(/^refused: 400 StripeInvalidRequestError: No active meter/);
    await makeDue(identifier);
    await sendPendingUsagePushes({ tenantIds: [t.id] });
    expect(await db().usagePush.findUniqueOrThrow({ where: { identifier } })).toMatchObject({ status: "sent", attempts: 2 });
  });

  it("records hours too old for Stripe as skipped, and gives up on a push that failed until then", async () => {
    const t = await createTestTenant();
    const old = new Date(thisHour - 40 * 24 * HOUR);
    const nearlyOld = new Date(thisHour - 20 * 24 * HOUR);
    await insertUsage(t.id, [{ meter: "vcpu_seconds", hour: old, quantity: "1" }, { meter: "vcpu_seconds", hour: nearlyOld, quantity: "2" }]);
    await enqueueUsagePushes({ since: old, tenantIds: [t.id] });
    const oldRow = await db().usagePush.findUniqueOrThrow({ where: { identifier: usagePushIdentifier(t.id, "vcpu_seconds", old) } });
    expect(oldRow).toMatchObject({ status: "skipped", lastError: "older than Stripe accepts meter events" });
    // A push that kept failing while its hour aged past 35 days: never sent, said so.
    const failing = usagePushIdentifier(t.id, "vcpu_seconds", nearlyOld);
    await db().usagePush.update({ where: { identifier: failing }, data: { hour: new Date(thisHour - 36 * 24 * HOUR), nextAttemptAt: new Date(Date.now() - 1000) } });
    await sendPendingUsagePushes({ tenantIds: [t.id] });
    expect(await db().usagePush.findUniqueOrThrow({ where: { identifier: failing } })).toMatchObject({ status: "skipped", lastError: expect.stringMatching(/^expired: /) });
    expect(fake.requestsTo("/v1/billing/meter_events").filter((r) => String(r.body.identifier).includes(t.id))).toEqual([]);
  });

  it("stops trying for a tenant that was deleted (nobody to bill)", async () => {
    const t = await createTestTenant();
    await insertUsage(t.id, [{ meter: "vcpu_seconds", hour: H2, quantity: "3" }]);
    await enqueueUsagePushes({ since: H2, tenantIds: [t.id] });
    await db().tenant.delete({ where: { id: t.id } });
    await sendPendingUsagePushes({ tenantIds: [t.id] });
    const row = await db().usagePush.findUniqueOrThrow({ where: { identifier: usagePushIdentifier(t.id, "vcpu_seconds", H2) } });
    expect(row).toMatchObject({ status: "skipped", lastError: "tenant deleted: no one to bill" });
  });

  it("sends nothing in local billing mode: closed hours are recorded as skipped, never billed later", async () => {
    const t = await createTestTenant();
    await insertUsage(t.id, [{ meter: "vcpu_seconds", hour: H2, quantity: "5" }]);
    const before = fake.requests.length;
    localMode();
    try {
      await enqueueUsagePushes({ since: H2, tenantIds: [t.id] });
      expect(await sendPendingUsagePushes({ tenantIds: [t.id] })).toEqual({ sent: 0, failed: 0, expired: 0 });
    } finally {
      stripeMode();
    }
    expect(fake.requests.length).toBe(before);
    expect(await pushesOf(t.id)).toEqual([expect.objectContaining({ status: "skipped", lastError: "local billing mode", attempts: 0 })]);
    await sendPendingUsagePushes({ tenantIds: [t.id] });
    expect((await tenantDb(t.id).tenantBilling.findUnique({ where: { tenantId: t.id } }))?.stripeCustomerId ?? null).toBeNull();
  });
});
