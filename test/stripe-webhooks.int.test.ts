// POST /api/webhooks/stripe: signed with the SDK's own test-header helper; a bad or missing
// signature is refused and stores nothing; each event id is applied once (replays answer
// "duplicate"); late, out-of-order events never overwrite newer state; unknown types and other
// customers' events are recorded as ignored.
import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as webhookRoute from "@/app/api/webhooks/stripe/route";
import * as invoicesRoute from "@/app/api/v1/billing/invoices/route";
import { db } from "@/lib/db/client";
import { tenantDb } from "@/lib/db/tenant-scope";
import { newId } from "@/lib/ids";
import { call, createTestTenant } from "./helpers";
import { linkCustomer, signedEvent, useFakeStripe, WEBHOOK_SECRET } from "./stripe-test-env";

useFakeStripe();

const PLAN_PRICE = `price_plan_${newId("req").slice(4)}`;
const planId = `test-webhooks-${process.pid}-${Date.now().toString(36)}`;
beforeAll(async () => {
  // A plan of our own, so the price book's seeded plans stay as other tests expect them.
  await db().plan.create({
    data: {
      id: planId, name: "Webhook test plan", monthlyFeeCents: 1000, maxRunningSessions: 5, maxVcpu: 4, maxMemoryMib: 4096,
      maxSnapshotBytes: 1n << 30n, maxLifetimeSeconds: 3600, stripePriceId: `${PLAN_PRICE},price_metered_vcpu`, sortOrder: 1000,
    },
  });
});
afterAll(async () => {
  await db().plan.delete({ where: { id: planId } });
});

const deliver = (signed: { payload: string; headers: Record<string, string> }) =>
  call(webhookRoute.POST, { method: "POST", path: "/api/webhooks/stripe", rawBody: signed.payload, headers: signed.headers });

const T0 = Math.floor(Date.now() / 1000) - 600;
/** Subscription ids are unique across tenants: one of our own per test. */
const subId = (name: string) => `sub_${name}_${newId("req").slice(4)}`;

function subscription(id: string, customer: string, status: string, price = PLAN_PRICE) {
  return {
    id, object: "subscription", customer, status, metadata: {},
    items: { object: "list", data: [{ id: `si_${id}`, object: "subscription_item", price: { id: price, object: "price" } }, { id: `si2_${id}`, object: "subscription_item", price: { id: "price_metered_vcpu", object: "price" } }] },
  };
}

function invoice(id: string, customer: string, status: string, over: Record<string, unknown> = {}) {
  return {
    id, object: "invoice", customer, status, currency: "usd", total: 4321, period_start: T0 - 86_400 * 30, period_end: T0,
    hosted_invoice_url: `https://invoice.stripe.com/i/${id}`, invoice_pdf: `https://pay.stripe.com/invoice/${id}/pdf`,
    lines: { object: "list", data: [{ id: `il_${id}`, object: "line_item", amount: 4321, description: "vCPU-seconds", quantity: 100, period: { start: T0 - 86_400 * 30, end: T0 } }] },
    ...over,
  };
}

const billingOf = (tenantId: string) => tenantDb(tenantId).tenantBilling.findUniqueOrThrow({ where: { tenantId } });
const storedEvent = (id: string) => db().stripeEvent.findUnique({ where: { id } });

describe("POST /api/webhooks/stripe", () => {
  it("applies a verified subscription event once; a replay is answered as a duplicate and changes nothing", async () => {
    const subA = subId("a");
    const t = await createTestTenant();
    const customer = await linkCustomer(t.id);
    const created = signedEvent("customer.subscription.created", subscription(subA, customer, "active"), { created: T0 });

    const res = await deliver(created);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ received: true, outcome: "applied" });
    const after = await billingOf(t.id);
    expect(after).toMatchObject({ planId, stripeSubscriptionId: subA, subscriptionStatus: "active", subscriptionUpdatedAt: new Date(T0 * 1000) });
    expect(await storedEvent(created.event.id)).toMatchObject({ type: "customer.subscription.created", outcome: "applied", createdAt: new Date(T0 * 1000) });
    const audits = await tenantDb(t.id).auditEvent.findMany({ where: { action: "billing.plan_changed" } });
    expect(audits).toEqual([expect.objectContaining({ actorType: "system", actorLabel: "stripe", metadata: expect.objectContaining({ from: "free", to: planId }) })]);

    // Stripe retries and replays: the same event id again, even signed anew.
    const resigned = Stripe.webhooks.generateTestHeaderString({ payload: created.payload, secret: WEBHOOK_SECRET, timestamp: Math.floor(Date.now() / 1000) + 1 });
    const replay = await deliver({ payload: created.payload, headers: { ...created.headers, "stripe-signature": resigned } });
    expect(replay.body).toEqual({ received: true, outcome: "duplicate" });
    expect(await billingOf(t.id)).toEqual(after);
    expect(await tenantDb(t.id).auditEvent.count({ where: { action: "billing.plan_changed" } })).toBe(1);
  });

  it("refuses a missing or bad signature with 400 and stores nothing", async () => {
    const subSIG = subId("sig");
    const t = await createTestTenant();
    const customer = await linkCustomer(t.id);
    const good = signedEvent("customer.subscription.created", subscription(subSIG, customer, "active"));
    const wrongSecret = signedEvent("customer.subscription.created", subscription(subSIG, customer, "active"), { id: good.event.id, secret: "whsec_not_ours_0123456789" });
    const tampered = { payload: good.payload.replace('"active"', '"canceled"'), headers: good.headers };
    for (const attempt of [
      { payload: good.payload, headers: { "content-type": "application/json" } },
      { payload: good.payload, headers: { ...good.headers, "stripe-signature": "t=1,v1=deadbeef" } },
      { payload: good.payload, headers: wrongSecret.headers },
      tampered,
    ]) {
      const res = await deliver(attempt);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe("invalid_request");
    }
    expect(await storedEvent(good.event.id)).toBeNull();
    expect((await billingOf(t.id)).stripeSubscriptionId).toBeNull();
    expect((await deliver(good)).body.outcome).toBe("applied");
  });

  it("refuses a signature timestamped more than 5 minutes ahead, and accepts one a little ahead", async () => {
    const t = await createTestTenant();
    const customer = await linkCustomer(t.id);
    const event = signedEvent("customer.subscription.created", subscription(subId("future"), customer, "active"));
    const signedAt = (secondsAhead: number) => ({
      payload: event.payload,
      headers: { ...event.headers, "stripe-signature": Stripe.webhooks.generateTestHeaderString({ payload: event.payload, secret: WEBHOOK_SECRET, timestamp: Math.floor(Date.now() / 1000) + secondsAhead }) },
    });
    for (const ahead of [360, 3600, 86_400 * 365]) {
      const res = await deliver(signedAt(ahead));
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(/ahead/);
    }
    expect(await storedEvent(event.event.id)).toBeNull();
    // Clocks drift: a signature a minute ahead is still Stripe's.
    expect((await deliver(signedAt(60))).body.outcome).toBe("applied");
  });

  it("keeps the newest subscription state when events arrive out of order", async () => {
    const subO = subId("o");
    const t = await createTestTenant();
    const customer = await linkCustomer(t.id);
    const newer = signedEvent("customer.subscription.updated", subscription(subO, customer, "past_due"), { created: T0 + 200 });
    const older = signedEvent("customer.subscription.updated", subscription(subO, customer, "active"), { created: T0 + 100 });
    const oldest = signedEvent("customer.subscription.created", subscription(subO, customer, "incomplete"), { created: T0 });
    expect((await deliver(newer)).body.outcome).toBe("applied");
    expect((await deliver(older)).body.outcome).toBe("ignored");
    expect((await deliver(oldest)).body.outcome).toBe("ignored");
    expect(await billingOf(t.id)).toMatchObject({ planId, subscriptionStatus: "past_due", subscriptionUpdatedAt: new Date((T0 + 200) * 1000) });
    expect(await storedEvent(older.event.id)).toMatchObject({ outcome: "ignored" });

    const deleted = signedEvent("customer.subscription.deleted", subscription(subO, customer, "canceled"), { created: T0 + 300 });
    expect((await deliver(deleted)).body.outcome).toBe("applied");
    expect(await billingOf(t.id)).toMatchObject({ planId: "free", stripeSubscriptionId: subO, subscriptionStatus: "canceled" });
    // A late update of the ended subscription does not bring the plan back.
    const late = signedEvent("customer.subscription.updated", subscription(subO, customer, "active"), { created: T0 + 250 });
    expect((await deliver(late)).body.outcome).toBe("ignored");
    expect((await billingOf(t.id)).planId).toBe("free");
  });

  it("links the subscription Checkout created, and its own events still apply after the link", async () => {
    const subC = subId("c");
    const t = await createTestTenant();
    const customer = await linkCustomer(t.id);
    const session = { id: "cs_test_1", object: "checkout.session", mode: "subscription", customer, subscription: subC, client_reference_id: t.id, metadata: {} };
    expect((await deliver(signedEvent("checkout.session.completed", session, { created: T0 + 10 }))).body.outcome).toBe("applied");
    expect(await billingOf(t.id)).toMatchObject({ stripeSubscriptionId: subC, subscriptionStatus: null, planId: "free" });
    expect((await deliver(signedEvent("customer.subscription.created", subscription(subC, customer, "active"), { created: T0 }))).body.outcome).toBe("applied");
    expect(await billingOf(t.id)).toMatchObject({ stripeSubscriptionId: subC, subscriptionStatus: "active", planId });
  });

  it("mirrors invoices, newest event wins, and lists them as charged with their links", async () => {
    const t = await createTestTenant();
    const customer = await linkCustomer(t.id);
    const id = `in_${newId("req").slice(4)}`;
    const paid = signedEvent("invoice.paid", invoice(id, customer, "paid"), { created: T0 + 300 });
    const finalized = signedEvent("invoice.finalized", invoice(id, customer, "open", { total: 1 }), { created: T0 + 200 });
    const created = signedEvent("invoice.created", invoice(id, customer, "draft", { hosted_invoice_url: null, invoice_pdf: null }), { created: T0 + 100 });
    expect((await deliver(created)).body.outcome).toBe("applied");
    expect((await deliver(paid)).body.outcome).toBe("applied");
    expect((await deliver(finalized)).body.outcome).toBe("ignored");
    const rows = await tenantDb(t.id).invoice.findMany();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      source: "stripe", stripeInvoiceId: id, status: "paid", totalCents: 4321, currency: "usd",
      periodStart: new Date((T0 - 86_400 * 30) * 1000), periodEnd: new Date(T0 * 1000), stripeUpdatedAt: new Date((T0 + 300) * 1000),
    });
    expect(rows[0].lines).toEqual([{ description: "vCPU-seconds", amountCents: 4321, quantity: 100, periodStart: new Date((T0 - 86_400 * 30) * 1000).toISOString(), periodEnd: new Date(T0 * 1000).toISOString() }]);

    // A second invoice starting at the same second (a subscription's first invoice and its renewal) is kept too.
    const second = `in_${newId("req").slice(4)}`;
    expect((await deliver(signedEvent("invoice.payment_failed", invoice(second, customer, "open", { total: 999 }), { created: T0 + 400 }))).body.outcome).toBe("applied");

    const list = await call(invoicesRoute.GET, { path: "/api/v1/billing/invoices", key: t.key });
    expect(list.status).toBe(200);
    const stripeInvoices = list.body.data.filter((i: { source: string }) => i.source === "stripe");
    expect(stripeInvoices).toHaveLength(2);
    expect(stripeInvoices).toEqual(expect.arrayContaining([
      expect.objectContaining({ status: "paid", totalCents: 4321, charged: true, hostedUrl: `https://invoice.stripe.com/i/${id}`, pdfUrl: `https://pay.stripe.com/invoice/${id}/pdf` }),
      expect.objectContaining({ status: "open", totalCents: 999, charged: true, periodStart: new Date((T0 - 86_400 * 30) * 1000).toISOString() }),
    ]));
  });

  it("answers 200 to unknown types and to other customers' events, recorded as ignored", async () => {
    const subX = subId("x");
    const unknown = signedEvent("charge.succeeded", { id: "ch_1", object: "charge", customer: "cus_x" });
    expect(await deliver(unknown)).toMatchObject({ status: 200, body: { received: true, outcome: "ignored" } });
    expect(await storedEvent(unknown.event.id)).toMatchObject({ type: "charge.succeeded", outcome: "ignored" });
    expect((await deliver(unknown)).body.outcome).toBe("duplicate");

    const stranger = signedEvent("customer.subscription.updated", subscription(subX, `cus_${newId("req").slice(4)}`, "active"));
    expect((await deliver(stranger)).body.outcome).toBe("ignored");
    expect(await db().tenantBilling.count({ where: { stripeSubscriptionId: subX } })).toBe(0);
  });

  it("applies an event delivered twice at once exactly once", async () => {
    const subRACE = subId("race");
    const t = await createTestTenant();
    const customer = await linkCustomer(t.id);
    const event = signedEvent("customer.subscription.created", subscription(subRACE, customer, "active"));
    const answers = await Promise.all([deliver(event), deliver(event), deliver(event)]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(answers.map((a) => a.body.outcome).sort()).toEqual(["applied", "duplicate", "duplicate"]);
    expect(await tenantDb(t.id).auditEvent.count({ where: { action: "billing.plan_changed" } })).toBe(1);
  });
});
