// Plan changes, the customer portal and invoices, in Stripe mode (the official SDK against a local
// fake of Stripe's API, asserting on what it is sent) and in local billing mode (no Stripe key:
// plans change at once, invoices are our own drafts equal to the summary, never charged).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as checkoutRoute from "@/app/api/v1/billing/checkout/route";
import * as invoicesRoute from "@/app/api/v1/billing/invoices/route";
import * as portalRoute from "@/app/api/v1/billing/portal/route";
import * as summaryRoute from "@/app/api/v1/billing/summary/route";
import * as webhookRoute from "@/app/api/webhooks/stripe/route";
import { billingPeriodOf } from "@/lib/billing";
import { ensureStripeCustomer, syncLocalInvoices, syncTenantLocalInvoices } from "@/lib/billing/stripe";
import { db } from "@/lib/db/client";
import { tenantDb } from "@/lib/db/tenant-scope";
import { env } from "@/lib/env";
import { insertUsage } from "./billing-fixtures";
import { call, createKey, createTestTenant, sessionCookie } from "./helpers";
import { fake, localMode, signedEvent, stripeMode, useFakeStripe } from "./stripe-test-env";

useFakeStripe();

const planId = `test-checkout-${process.pid}-${Date.now().toString(36)}`;
beforeAll(async () => {
  // A plan of our own with Stripe prices, so the seeded plans stay as other tests expect them.
  await db().plan.create({
    data: {
      id: planId, name: "Checkout test plan", monthlyFeeCents: 1000, maxRunningSessions: 5, maxVcpu: 4, maxMemoryMib: 4096,
      maxSnapshotBytes: 1n << 30n, maxLifetimeSeconds: 3600, stripePriceId: "price_plan_test, price_metered_vcpu,price_metered_mem", sortOrder: 1000,
    },
  });
});
afterAll(async () => {
  await db().plan.delete({ where: { id: planId } });
});

const checkout = (auth: { key?: string; cookie?: string; tenant?: string }, body: unknown) =>
  call(checkoutRoute.POST, { method: "POST", path: "/api/v1/billing/checkout", body, ...auth });
const portal = (auth: { key?: string; cookie?: string; tenant?: string }) => call(portalRoute.POST, { method: "POST", path: "/api/v1/billing/portal", ...auth });
const invoices = (key: string, query = "") => call(invoicesRoute.GET, { path: `/api/v1/billing/invoices${query}`, key });

async function inLocalMode<T>(fn: () => Promise<T>): Promise<T> {
  localMode();
  try {
    return await fn();
  } finally {
    stripeMode();
  }
}

describe("POST /api/v1/billing/checkout", () => {
  it("with Stripe: a Checkout session for the tenant's customer and the plan's prices, back to the console", async () => {
    const t = await createTestTenant();
    const res = await checkout({ key: t.key }, { planId });
    expect(res.status).toBe(200);
    expect(res.body.url).toMatch(/^https:\/\/checkout\.stripe\.com\/c\/pay\/cs_test_/);
    const customer = await ensureStripeCustomer(t.id);
    const sent = fake.requestsTo("/v1/checkout/sessions").find((r) => r.body.client_reference_id === t.id)!;
    expect(sent.body).toEqual({
      mode: "subscription", customer, client_reference_id: t.id,
      line_items: [{ price: "price_plan_test", quantity: "1" }, { price: "price_metered_vcpu" }, { price: "price_metered_mem" }],
      success_url: `http://127.0.0.1/t/${t.slug}/billing?checkout=success`,
      cancel_url: `http://127.0.0.1/t/${t.slug}/billing?checkout=canceled`,
      metadata: { tenant_id: t.id, plan_id: planId },
      subscription_data: { metadata: { tenant_id: t.id, plan_id: planId } },
    });
    // The plan changes when Stripe says the subscription exists, not now.
    expect((await tenantDb(t.id).tenantBilling.findUniqueOrThrow({ where: { tenantId: t.id } })).planId).toBe("free");
    expect(await tenantDb(t.id).auditEvent.findFirst({ where: { action: "billing.checkout_started" } })).toMatchObject({ targetId: planId, actorType: "key" });
  });

  it("uses PUBLIC_URL for the way back when it is set", async () => {
    const t = await createTestTenant();
    const saved = env.PUBLIC_URL;
    env.PUBLIC_URL = "https://burrow.example.test/";
    try {
      expect((await checkout({ key: t.key }, { planId })).status).toBe(200);
    } finally {
      env.PUBLIC_URL = saved;
    }
    const sent = fake.requestsTo("/v1/checkout/sessions").find((r) => r.body.client_reference_id === t.id)!;
    expect(sent.body.success_url).toBe(`https://burrow.example.test/t/${t.slug}/billing?checkout=success`);
  });

  it("409 for a plan without a Stripe price or a tenant that already has a subscription; 503 while Stripe is down", async () => {
    const t = await createTestTenant();
    const noPrice = await checkout({ key: t.key }, { planId: "pro" });
    expect(noPrice.status).toBe(409);
    expect(noPrice.body.error).toMatchObject({ code: "conflict", details: { planId: "pro" } });
    expect(noPrice.body.error.message).toMatch(/no Stripe price/);

    await fake.down();
    try {
      const down = await checkout({ key: t.key }, { planId });
      expect(down.status).toBe(503);
      expect(down.headers.get("retry-after")).toBe("10");
    } finally {
      await fake.start();
    }

    const live = { stripeSubscriptionId: `sub_live_${t.id}`, subscriptionStatus: "active" };
    await tenantDb(t.id).tenantBilling.upsert({ where: { tenantId: t.id }, create: { tenantId: t.id, ...live }, update: live });
    const twice = await checkout({ key: t.key }, { planId });
    expect(twice.status).toBe(409);
    expect(twice.body.error.message).toMatch(/customer portal/);
  });

  it("in local billing mode changes the plan at once, audited, without calling Stripe", async () => {
    const t = await createTestTenant();
    const before = fake.requests.length;
    const res = await inLocalMode(() => checkout({ key: t.key }, { planId: "pro" }));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ planId: "pro", applied: true });
    expect(fake.requests.length).toBe(before);
    expect((await tenantDb(t.id).tenantBilling.findUniqueOrThrow({ where: { tenantId: t.id } })).planId).toBe("pro");
    expect(await tenantDb(t.id).auditEvent.findFirst({ where: { action: "billing.plan_changed" } })).toMatchObject({ metadata: { from: "free", to: "pro" } });
    const summary = await inLocalMode(() => call(summaryRoute.GET, { path: "/api/v1/billing/summary", key: t.key }));
    expect(summary.body).toMatchObject({ mode: "local", charged: false, plan: { id: "pro" } });
  });

  it("400 for a bad body or unknown plan, 401 without credentials, 403 without the admin scope", async () => {
    const t = await createTestTenant();
    for (const body of [{}, { planId: "" }, { planId: 5 }, { planId: "pro", extra: true }, { planId: "no-such-plan" }]) {
      const res = await checkout({ key: t.key }, body);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe("invalid_request");
    }
    expect((await checkout({}, { planId })).status).toBe(401);
    const reader = await createKey(t.id, ["billing:read"]);
    expect((await checkout({ key: reader.secret }, { planId })).status).toBe(403);
    expect((await checkout({ cookie: await sessionCookie(t), tenant: t.slug }, { planId })).status).toBe(200);
  });
});

describe("POST /api/v1/billing/portal", () => {
  it("with Stripe: a portal session for the tenant's customer, back to the console; local mode 409", async () => {
    const t = await createTestTenant();
    const res = await portal({ key: t.key });
    expect(res.status).toBe(200);
    expect(res.body.url).toMatch(/^https:\/\/billing\.stripe\.com\/p\/session\//);
    const customer = await ensureStripeCustomer(t.id);
    const sent = fake.requestsTo("/v1/billing_portal/sessions").filter((r) => r.body.customer === customer);
    expect(sent.map((r) => r.body)).toEqual([{ customer, return_url: `http://127.0.0.1/t/${t.slug}/billing` }]);

    const local = await inLocalMode(() => portal({ key: t.key }));
    expect(local.status).toBe(409);
    expect(local.body.error.message).toMatch(/Stripe is not configured/);
  });

  it("401 without credentials, 403 without the admin scope", async () => {
    const t = await createTestTenant();
    expect((await portal({})).status).toBe(401);
    const member = await createKey(t.id, ["sessions:read", "billing:read"]);
    expect((await portal({ key: member.secret })).status).toBe(403);
  });
});

describe("GET /api/v1/billing/invoices", () => {
  it("in local billing mode: this period's draft equals the summary to the cent, never charged", async () => {
    const t = await createTestTenant();
    const period = billingPeriodOf(new Date());
    await insertUsage(t.id, [
      { meter: "vcpu_seconds", hour: period.start, quantity: "400000.5" },
      { meter: "snapshot_gib_hours", hour: period.start, quantity: "9000" },
    ]);
    const [list, summary] = await inLocalMode(async () => [await invoices(t.key), await call(summaryRoute.GET, { path: "/api/v1/billing/summary", key: t.key })]);
    expect(list.status).toBe(200);
    expect(list.body).toEqual({
      data: [{
        id: expect.stringMatching(/^ivc_/), source: "local", status: "draft", periodStart: period.start.toISOString(), periodEnd: period.end.toISOString(),
        currency: "usd", totalCents: summary.body.totalCents, charged: false, hostedUrl: null, pdfUrl: null,
      }],
      nextCursor: null,
    });
    expect(summary.body.totalCents).toBeGreaterThan(0);

    // More usage: the draft follows. Stripe mode lists what is stored without drafting.
    await insertUsage(t.id, [{ meter: "vcpu_seconds", hour: period.start, quantity: "100000" }]);
    expect((await invoices(t.key)).body.data[0].totalCents).toBe(summary.body.totalCents);
    const again = await inLocalMode(() => invoices(t.key));
    expect(again.body.data[0].totalCents).toBeGreaterThan(summary.body.totalCents);
    expect(await tenantDb(t.id).invoice.count()).toBe(1);
  });

  it("finalizes a local draft once its period has ended and is rolled up, and never changes it after", async () => {
    const t = await createTestTenant();
    const period = billingPeriodOf(new Date());
    await insertUsage(t.id, [{ meter: "vcpu_seconds", hour: period.start, quantity: "50000" }]);
    const nextMonth = new Date(period.end.getTime() + 3_600_000);
    await inLocalMode(async () => {
      // The period ended but its last hours are not rolled up yet: still a draft.
      await syncTenantLocalInvoices(t.id, { now: nextMonth, closedThrough: new Date(period.end.getTime() - 3_600_000) });
      expect((await tenantDb(t.id).invoice.findFirstOrThrow({ where: { periodStart: period.start } })).status).toBe("draft");
      await syncTenantLocalInvoices(t.id, { now: nextMonth, closedThrough: period.end });
    });
    const final = await tenantDb(t.id).invoice.findFirstOrThrow({ where: { periodStart: period.start } });
    // Free plan: 50000 − 36000 included = 14000 vCPU-seconds × $0.000014 = $0.196 → 20 cents.
    expect(final).toMatchObject({ source: "local", status: "open", totalCents: 20 });
    expect(final.lines).toEqual(expect.arrayContaining([
      expect.objectContaining({ description: "vCPU-seconds", meter: "vcpu_seconds", quantity: "50000", billableQuantity: "14000", amountCents: 20 }),
    ]));
    await insertUsage(t.id, [{ meter: "vcpu_seconds", hour: period.start, quantity: "999999" }]);
    await inLocalMode(() => syncTenantLocalInvoices(t.id, { now: nextMonth, closedThrough: period.end }));
    expect(await tenantDb(t.id).invoice.findFirstOrThrow({ where: { periodStart: period.start } })).toEqual(final);
  });

  it("the scheduler's drafting job, scoped to a tenant, drafts that tenant's invoice and no other's", async () => {
    const [mine, other] = [await createTestTenant(), await createTestTenant()];
    const result = await inLocalMode(() => syncLocalInvoices({ tenantIds: [mine.id] }));
    expect(result).toEqual({ drafted: 1, finalized: 0 });
    expect(await tenantDb(mine.id).invoice.count()).toBe(1);
    expect(await tenantDb(other.id).invoice.count()).toBe(0);
  });

  it("pages newest period first, shows only the caller's tenant, and checks scopes and the query", async () => {
    const a = await createTestTenant();
    const b = await createTestTenant();
    const period = billingPeriodOf(new Date());
    await inLocalMode(async () => {
      await syncTenantLocalInvoices(a.id, { now: new Date(period.end.getTime() + 86_400_000) });
      await syncTenantLocalInvoices(a.id);
    });
    const first = await invoices(a.key, "?limit=1");
    expect(first.status).toBe(200);
    expect(first.body.data).toHaveLength(1);
    expect(first.body.data[0].periodStart).toBe(period.end.toISOString());
    const second = await invoices(a.key, `?limit=1&cursor=${first.body.nextCursor}`);
    expect(second.body.data.map((i: { periodStart: string }) => i.periodStart)).toEqual([period.start.toISOString()]);
    expect(second.body.nextCursor).toBeNull();

    const theirs = await invoices(b.key);
    expect(JSON.stringify(theirs.body)).not.toContain(first.body.data[0].id);
    expect((await invoices(a.key, "?limit=0")).status).toBe(400);
    expect((await invoices(a.key, "?cursor=nope")).status).toBe(400);
    expect((await call(invoicesRoute.GET, { path: "/api/v1/billing/invoices" })).status).toBe(401);
    const noBilling = await createKey(a.id, ["sessions:read"]);
    expect((await invoices(noBilling.secret)).status).toBe(403);
    const viewer = await call(invoicesRoute.GET, { path: "/api/v1/billing/invoices", cookie: await sessionCookie(a), tenant: a.slug });
    expect(viewer.status).toBe(200);
  });
});

describe("POST /api/webhooks/stripe without a webhook secret", () => {
  it("refuses deliveries (409) and stores nothing until STRIPE_WEBHOOK_SECRET is set", async () => {
    const signed = signedEvent("charge.succeeded", { id: "ch_1", object: "charge" });
    const saved = env.STRIPE_WEBHOOK_SECRET;
    env.STRIPE_WEBHOOK_SECRET = undefined;
    try {
      const res = await call(webhookRoute.POST, { method: "POST", path: "/api/webhooks/stripe", rawBody: signed.payload, headers: signed.headers });
      expect(res.status).toBe(409);
    } finally {
      env.STRIPE_WEBHOOK_SECRET = saved;
    }
    expect(await db().stripeEvent.findUnique({ where: { id: signed.event.id } })).toBeNull();
  });
});
