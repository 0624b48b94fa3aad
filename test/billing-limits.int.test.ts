// Plan quotas and admin overrides, spend limits per tenant and per API key, and budget alerts.
// Usage is written into usage_hours directly (what the rollup would write), so the numbers are exact.
import { afterAll, describe, expect, it } from "vitest";
import * as keyRoute from "@/app/api/v1/api-keys/[id]/route";
import * as settingsRoute from "@/app/api/v1/billing/settings/route";
import * as resumeRoute from "@/app/api/v1/sessions/[id]/resume/route";
import { adminSetPlan, adminSetQuota } from "@/lib/admin/tenant-plans";
import { assertWithinSpendLimit, billingPeriodOf, enforceSpendLimits } from "@/lib/billing";
import { db } from "@/lib/db/client";
import { createSession, insertUsage, sessionIn, testPool } from "./billing-fixtures";
import { call, createKey, createTestTenant, uniqueSlug } from "./helpers";

const period = () => billingPeriodOf(new Date());
const testPlans: string[] = [];

async function planWithRunningSessions(maxRunningSessions: number) {
  const id = uniqueSlug("plan");
  testPlans.push(id);
  await db().plan.create({
    data: {
      id, name: `Test ${maxRunningSessions}`, monthlyFeeCents: 0, maxRunningSessions, maxVcpu: 64, maxMemoryMib: 65_536, maxSnapshotBytes: 10n ** 12n, maxLifetimeSeconds: 86_400,
      sortOrder: 100, prices: { create: [{ meter: "vcpu_seconds", unitPriceUsd: "0.00001", includedQuantity: "0", stripeEventName: "burrow_vcpu_seconds" }] },
    },
  });
  return id;
}

afterAll(async () => {
  await db().plan.deleteMany({ where: { id: { in: testPlans } } });
});

const setLimit = (key: string, spendLimitCents: number | null) =>
  call(settingsRoute.PATCH, { method: "PATCH", path: "/api/v1/billing/settings", key, body: { spendLimitCents } });

describe("plan quotas", () => {
  it("a tenant moved to a plan allowing 2 running sessions starts exactly 2; an admin override wins; clearing it restores the plan's", async () => {
    const t = await createTestTenant();
    const pool = await testPool();
    const plan = await planWithRunningSessions(2);
    expect(await adminSetPlan({ tenant: t.slug, plan })).toEqual({ tenant: t.slug, plan });
    const results = await Promise.all(Array.from({ length: 5 }, () => createSession(t.key, pool)));
    expect(results.filter((r) => r.status === 201)).toHaveLength(2);
    for (const r of results.filter((r) => r.status !== 201)) {
      expect(r.status).toBe(429);
      expect(r.body.error).toMatchObject({ code: "quota_exceeded", details: { quota: "running_sessions", limit: 2, used: 2 } });
    }

    const override = await adminSetQuota({ tenant: t.slug, "max-running-sessions": 3 });
    expect(override).toMatchObject({ source: "override", quota: { maxRunningSessions: 3, maxVcpu: 64, maxMemoryMib: 65_536 } });
    expect((await createSession(t.key, pool)).status).toBe(201);
    expect((await createSession(t.key, pool)).body.error.details).toMatchObject({ limit: 3, used: 3 });

    expect(await adminSetQuota({ tenant: t.slug, clear: true })).toMatchObject({ source: "plan", quota: { maxRunningSessions: 2 } });
    expect((await createSession(t.key, pool)).body.error.details).toMatchObject({ limit: 2, used: 3 });
    const audit = await db().auditEvent.findMany({ where: { tenantId: t.id, action: { in: ["billing.plan_changed", "billing.quota_changed"] } }, orderBy: { id: "asc" } });
    expect(audit.map((a) => [a.action, a.actorType, a.actorLabel])).toEqual([
      ["billing.plan_changed", "system", "platform admin"],
      ["billing.quota_changed", "system", "platform admin"],
      ["billing.quota_changed", "system", "platform admin"],
    ]);
  });

  it("refuses an unknown plan and a tenant that does not exist", async () => {
    const t = await createTestTenant();
    await expect(adminSetPlan({ tenant: t.slug, plan: "no-such-plan" })).rejects.toThrow(/No plan/);
    await expect(adminSetPlan({ tenant: uniqueSlug("nobody"), plan: "pro" })).rejects.toThrow(/No tenant/);
    expect(await db().tenantBilling.findUnique({ where: { tenantId: t.id } })).toBeNull();
  });
});

describe("tenant spend limit", () => {
  it("alerts at 50/80/100 % once each, hibernates running and paused sessions, refuses creates and wakes with 402 until raised", async () => {
    const t = await createTestTenant();
    const pool = await testPool();
    const running = await sessionIn(t.key, pool, "running");
    const paused = await sessionIn(t.key, pool, "paused");
    const hibernated = await sessionIn(t.key, pool, "hibernated");
    const limited = await setLimit(t.key, 100);
    expect(limited.status).toBe(200);
    expect(limited.body).toMatchObject({ spendLimitCents: 100, spendLimitReached: false });

    // Free plan: 36000 vCPU-s included, then $0.000014 each. 86000 vCPU-s → 50000 billable → 70 cents.
    await insertUsage(t.id, [{ meter: "vcpu_seconds", hour: period().start, quantity: "86000" }]);
    await enforceSpendLimits({ tenantIds: [t.id] });
    await enforceSpendLimits({ tenantIds: [t.id] });
    expect(await thresholds(t.id, "tenant")).toEqual([50]);
    expect((await createSession(t.key, pool)).status).toBe(201);

    // +30000 → 80000 billable → 112 cents: over the limit.
    await insertUsage(t.id, [{ meter: "vcpu_seconds", hour: period().start, quantity: "30000" }]);
    await enforceSpendLimits({ tenantIds: [t.id] });
    await enforceSpendLimits({ tenantIds: [t.id] });
    expect(await thresholds(t.id, "tenant")).toEqual([50, 80, 100]);
    const billing = await db().tenantBilling.findUniqueOrThrow({ where: { tenantId: t.id } });
    expect(billing.spendLimitReachedAt).not.toBeNull();
    for (const id of [running, paused]) {
      expect(await db().session.findUniqueOrThrow({ where: { id } })).toMatchObject({ desiredState: "hibernated", desiredCause: "spend_limit" });
    }
    expect((await db().session.findUniqueOrThrow({ where: { id: hibernated } })).desiredCause).toBe("api");
    const audit = await db().auditEvent.groupBy({ by: ["action"], where: { tenantId: t.id, action: { startsWith: "billing." } }, _count: { _all: true } });
    expect(Object.fromEntries(audit.map((a) => [a.action, a._count._all]))).toEqual({
      "billing.spend_limit_changed": 1, "billing.budget_alert": 3, "billing.spend_limit_reached": 1,
    });

    const refused = await createSession(t.key, pool);
    expect(refused.status).toBe(402);
    expect(refused.body.error).toMatchObject({ code: "spend_limit_reached", details: { limitCents: 100, spendCents: 112, scope: "tenant" } });
    // Neither a hibernated session nor one still on its way there (running, asked to hibernate) can be woken.
    for (const id of [hibernated, running]) {
      const wake = await call(resumeRoute.POST, { method: "POST", path: `/api/v1/sessions/${id}/resume`, key: t.key, params: { id } });
      expect(wake.status).toBe(402);
      expect(wake.body.error).toMatchObject({ code: "spend_limit_reached", details: { limitCents: 100, spendCents: 112, scope: "tenant" } });
    }
    expect((await db().session.findUniqueOrThrow({ where: { id: running } })).desiredState).toBe("hibernated");

    const raised = await setLimit(t.key, 1000);
    expect(raised.body).toMatchObject({ spendLimitCents: 1000, spendLimitReached: false });
    expect((await db().tenantBilling.findUniqueOrThrow({ where: { tenantId: t.id } })).spendLimitReachedAt).toBeNull();
    expect((await createSession(t.key, pool)).status).toBe(201);
    await enforceSpendLimits({ tenantIds: [t.id] });
    expect(await thresholds(t.id, "tenant")).toEqual([50, 80, 100]); // once per period, even below them now

    const removed = await setLimit(t.key, null);
    expect(removed.body).toMatchObject({ spendLimitCents: null, spendLimitReached: false });
  });

  it("a new period starts with nothing spent: the mark is cleared and creates are allowed", async () => {
    const t = await createTestTenant();
    await insertUsage(t.id, [{ meter: "gpu_seconds", hour: period().start, quantity: "100" }]); // 5.83 cents → 6
    await setLimit(t.key, 5);
    await enforceSpendLimits({ tenantIds: [t.id] });
    expect((await db().tenantBilling.findUniqueOrThrow({ where: { tenantId: t.id } })).spendLimitReachedAt).not.toBeNull();
    await expect(assertWithinSpendLimit({ tenantId: t.id, apiKeyId: null })).rejects.toMatchObject({ code: "spend_limit_reached", details: { spendCents: 6 } });

    const nextPeriod = period().end;
    await expect(assertWithinSpendLimit({ tenantId: t.id, apiKeyId: null, now: nextPeriod })).resolves.toBeUndefined();
    await enforceSpendLimits({ now: nextPeriod, tenantIds: [t.id] });
    expect((await db().tenantBilling.findUniqueOrThrow({ where: { tenantId: t.id } })).spendLimitReachedAt).toBeNull();
  });

  it("a limit of 0 stops every new session", async () => {
    const t = await createTestTenant();
    const pool = await testPool();
    await setLimit(t.key, 0);
    const res = await createSession(t.key, pool);
    expect(res.status).toBe(402);
    expect(res.body.error.details).toEqual({ limitCents: 0, spendCents: 0, scope: "tenant" });
  });
});

describe("the job's scope", () => {
  it("a run scoped to one tenant leaves another tenant over its limit alone", async () => {
    const [mine, other] = [await createTestTenant(), await createTestTenant()];
    const pool = await testPool();
    const theirs = await sessionIn(other.key, pool, "running");
    for (const t of [mine, other]) {
      expect((await setLimit(t.key, 100)).status).toBe(200);
      await insertUsage(t.id, [{ meter: "vcpu_seconds", hour: period().start, quantity: "116000" }]);
    }
    await enforceSpendLimits({ tenantIds: [mine.id] });
    expect(await thresholds(mine.id, "tenant")).toEqual([50, 80, 100]);
    expect(await thresholds(other.id, "tenant")).toEqual([]);
    expect((await db().session.findUniqueOrThrow({ where: { id: theirs } })).desiredState).toBe("running");
  });
});

describe("API key spend limit", () => {
  it("refuses only that key's creates and hibernates only its sessions", async () => {
    const t = await createTestTenant();
    const pool = await testPool();
    const limitedKey = await createKey(t.id);
    const mine = await sessionIn(limitedKey.secret, pool, "running");
    const other = await sessionIn(t.key, pool, "running");
    const patched = await call(keyRoute.PATCH, { method: "PATCH", path: `/api/v1/api-keys/${limitedKey.id}`, key: t.key, params: { id: limitedKey.id }, body: { spendLimitCents: 10 } });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ id: limitedKey.id, spendLimitCents: 10 });

    // A key's cost has no included amounts: 10000 vCPU-s × $0.000014 = 14 cents. The tenant's own usage is within the free amounts.
    await insertUsage(t.id, [
      { meter: "vcpu_seconds", hour: period().start, quantity: "10000", apiKeyId: limitedKey.id },
      { meter: "vcpu_seconds", hour: period().start, quantity: "20000", apiKeyId: t.keyId },
    ]);
    const refused = await createSession(limitedKey.secret, pool);
    expect(refused.status).toBe(402);
    expect(refused.body.error.details).toEqual({ limitCents: 10, spendCents: 14, scope: limitedKey.id });
    expect((await createSession(t.key, pool)).status).toBe(201);

    await enforceSpendLimits({ tenantIds: [t.id] });
    await enforceSpendLimits({ tenantIds: [t.id] });
    expect(await thresholds(t.id, limitedKey.id)).toEqual([50, 80, 100]);
    expect(await thresholds(t.id, "tenant")).toEqual([]);
    expect(await db().session.findUniqueOrThrow({ where: { id: mine } })).toMatchObject({ desiredState: "hibernated", desiredCause: "spend_limit" });
    expect((await db().session.findUniqueOrThrow({ where: { id: other } })).desiredState).toBe("running");
    expect(await db().auditEvent.count({ where: { tenantId: t.id, action: "billing.spend_limit_reached", targetId: limitedKey.id } })).toBe(1);
    expect(await db().auditEvent.count({ where: { tenantId: t.id, action: "api_key.updated", targetId: limitedKey.id } })).toBe(1);

    const raised = await call(keyRoute.PATCH, { method: "PATCH", path: `/api/v1/api-keys/${limitedKey.id}`, key: t.key, params: { id: limitedKey.id }, body: { spendLimitCents: null } });
    expect(raised.body.spendLimitCents).toBeNull();
    expect((await createSession(limitedKey.secret, pool)).status).toBe(201);
  });

  it("PATCH answers 400 for a bad limit, 401 without a key, 403 without admin, 404 for an unknown key", async () => {
    const t = await createTestTenant();
    const patch = (body: unknown, opts: { key?: string; id?: string } = {}) => {
      const id = opts.id ?? t.keyId;
      return call(keyRoute.PATCH, { method: "PATCH", path: `/api/v1/api-keys/${id}`, key: "key" in opts ? opts.key : t.key, params: { id }, body });
    };
    for (const bad of [{ spendLimitCents: -1 }, { spendLimitCents: 1.5 }, { spendLimitCents: "10" }, {}, { spendLimitCents: 5, name: "x" }]) {
      expect((await patch(bad)).status).toBe(400);
    }
    expect((await patch({ spendLimitCents: 5 }, { key: undefined })).status).toBe(401);
    const reader = await createKey(t.id, ["sessions:read", "billing:read"]);
    expect((await patch({ spendLimitCents: 5 }, { key: reader.secret })).status).toBe(403);
    expect((await patch({ spendLimitCents: 5 }, { id: "key_00000000000000000000000000" })).status).toBe(404);
    expect((await db().apiKey.findUniqueOrThrow({ where: { id: t.keyId } })).spendLimitCents).toBeNull();
  });
});

async function thresholds(tenantId: string, scope: string) {
  const rows = await db().budgetAlert.findMany({ where: { tenantId, scope, periodStart: period().start }, orderBy: { threshold: "asc" } });
  return rows.map((r) => r.threshold);
}
