// The billing summary and plans API: the price book applied to metered usage, exactly to the cent;
// the settings endpoint's validation and auth; the operator CLI's set-plan and set-quota.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import * as plansRoute from "@/app/api/v1/billing/plans/route";
import * as settingsRoute from "@/app/api/v1/billing/settings/route";
import * as summaryRoute from "@/app/api/v1/billing/summary/route";
import { adminSetPlan, setQuotaArgsSchema } from "@/lib/admin/tenant-plans";
import { billingPeriodOf, billingSummarySchema, computePeriodCost, forecastUsage, getBillingSummary, planListSchema, priceUsage } from "@/lib/billing";
import { db } from "@/lib/db/client";
import { tenantDb } from "@/lib/db/tenant-scope";
import { newId } from "@/lib/ids";
import { insertUsage, sessionIn, testPool } from "./billing-fixtures";
import { call, createKey, createTestTenant, sessionCookie } from "./helpers";

const HOUR = 3_600_000;
const run = promisify(execFile);

describe("GET /api/v1/billing/summary", () => {
  it("is the price book applied to the period's usage, to the cent, with fee, forecast and quotas in use", async () => {
    const t = await createTestTenant();
    const other = await createTestTenant();
    await adminSetPlan({ tenant: t.slug, plan: "pro" });
    const { start, end } = billingPeriodOf(new Date());
    await insertUsage(t.id, [
      { meter: "vcpu_seconds", hour: start, quantity: "300000" },
      { meter: "vcpu_seconds", hour: new Date(start.getTime() + HOUR), quantity: "100000.5", apiKeyId: t.keyId },
      { meter: "memory_gib_seconds", hour: start, quantity: "720001" },
      { meter: "gpu_seconds", hour: start, quantity: "3600", dimension: "a100" },
      { meter: "gpu_seconds", hour: new Date(start.getTime() + 2 * HOUR), quantity: "1234.567891", dimension: "h100" },
      { meter: "snapshot_gib_hours", hour: start, quantity: "80000" },
      // Outside the period, or another tenant's: not counted.
      { meter: "vcpu_seconds", hour: new Date(start.getTime() - HOUR), quantity: "999999" },
      { meter: "vcpu_seconds", hour: end, quantity: "999999" },
    ]);
    await insertUsage(other.id, [{ meter: "vcpu_seconds", hour: start, quantity: "999999" }]);
    const pool = await testPool();
    await sessionIn(t.key, pool, "running");

    const res = await call(summaryRoute.GET, { path: "/api/v1/billing/summary", key: t.key });
    expect(res.status).toBe(200);
    const summary = billingSummarySchema.parse(res.body);
    // Pro: vCPU 360000 included at $0.000012, memory 720000 at $0.000004, GPU none at $0.0005, snapshots 72000 at $0.00012; $29 a month.
    expect(summary.lines).toEqual([
      { meter: "vcpu_seconds", quantity: "400000.5", includedQuantity: "360000", billableQuantity: "40000.5", unitPriceUsd: "0.000012", amountCents: 48 }, // $0.480006
      { meter: "memory_gib_seconds", quantity: "720001", includedQuantity: "720000", billableQuantity: "1", unitPriceUsd: "0.000004", amountCents: 0 }, // $0.000004
      { meter: "gpu_seconds", quantity: "4834.567891", includedQuantity: "0", billableQuantity: "4834.567891", unitPriceUsd: "0.0005", amountCents: 242 }, // $2.4172839455
      { meter: "snapshot_gib_hours", quantity: "80000", includedQuantity: "72000", billableQuantity: "8000", unitPriceUsd: "0.00012", amountCents: 96 }, // $0.96
      { meter: "network_egress_gib", quantity: "0", includedQuantity: "100", billableQuantity: "0", unitPriceUsd: "0.08", amountCents: 0 },
    ]);
    expect(summary).toMatchObject({
      mode: "local", charged: false, plan: { id: "pro", name: "Pro", monthlyFeeCents: 2900 },
      period: { start: start.toISOString(), end: end.toISOString() },
      usageCents: 386, feeCents: 2900, totalCents: 3286, spendCents: 386, spendLimitCents: null, spendLimitReached: false, alerts: [], subscriptionStatus: null,
    });
    expect(summary.forecastCents).toBeGreaterThanOrEqual(summary.totalCents);
    expect(summary.quotas).toEqual([
      { name: "running_sessions", limit: 100, used: 1 },
      { name: "vcpu", limit: 256, used: 0.25 },
      { name: "memory_mib", limit: 524_288, used: 64 },
      { name: "snapshot_bytes", limit: 536_870_912_000, used: 0 },
    ]);
    // The same figures from the function other parts call; one key's share has no included amounts or fee.
    expect(await computePeriodCost({ tenantId: t.id, period: { start, end } })).toEqual({ lines: summary.lines, usageCents: 386, feeCents: 2900, totalCents: 3286 });
    expect(await computePeriodCost({ tenantId: t.id, period: { start, end }, apiKeyId: t.keyId })).toMatchObject({ usageCents: 120, feeCents: 0, totalCents: 120 }); // 100000.5 × $0.000012
  });

  it("forecasts the usage rate so far to the end of the period", async () => {
    const t = await createTestTenant();
    const { start, end } = billingPeriodOf(new Date());
    const usage = { gpu_seconds: "7200" };
    await insertUsage(t.id, [{ meter: "gpu_seconds", hour: start, quantity: usage.gpu_seconds }]);
    const now = new Date(start.getTime() + 24 * HOUR);
    const ctx = { tenantId: t.id, tenantSlug: t.slug, actor: { type: "system" as const, id: null, label: "test" }, role: null, scopes: [], db: tenantDb(t.id), ip: null, requestId: newId("req") };
    const summary = await getBillingSummary({ ctx, now });
    const prices = [{ meter: "gpu_seconds" as const, unitPriceUsd: "0.000583", includedQuantity: "0" }];
    const days = (end.getTime() - start.getTime()) / (24 * HOUR);
    expect(summary.totalCents).toBe(420); // 7200 × $0.000583 = $4.1976
    expect(summary.forecastCents).toBe(priceUsage({ usage: forecastUsage(usage, { start, end }, now), prices, feeCents: 0, withIncluded: true }).totalCents);
    expect(summary.forecastCents).toBe(Math.round(7200 * days * 0.0583)); // a day's usage times the days of the month, in cents
  });

  it("shows the spend limit, its alerts and whether it is reached; 401 without credentials, 403 without billing:read", async () => {
    const t = await createTestTenant();
    const cookie = await sessionCookie({ userId: t.userId, email: t.email });
    const set = await call(settingsRoute.PATCH, { method: "PATCH", path: "/api/v1/billing/settings", cookie, tenant: t.slug, body: { spendLimitCents: 2500 } });
    expect(set.status).toBe(200);
    expect(billingSummarySchema.parse(set.body)).toMatchObject({ spendLimitCents: 2500, spendLimitReached: false });
    const viaCookie = await call(summaryRoute.GET, { path: "/api/v1/billing/summary", cookie, tenant: t.slug });
    expect(viaCookie.body).toMatchObject({ spendLimitCents: 2500, plan: { id: "free" } });
    expect((await call(summaryRoute.GET, { path: "/api/v1/billing/summary" })).status).toBe(401);
    const noBilling = await createKey(t.id, ["sessions:read"]);
    const forbidden = await call(summaryRoute.GET, { path: "/api/v1/billing/summary", key: noBilling.secret });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.error.details.requiredScopes).toEqual(["billing:read"]);
  });
});

describe("PATCH /api/v1/billing/settings", () => {
  it("answers 400 for a bad limit, 401 without credentials, 403 without admin, and leaves the limit alone", async () => {
    const t = await createTestTenant();
    const patch = (body: unknown, key: string | null = t.key) => call(settingsRoute.PATCH, { method: "PATCH", path: "/api/v1/billing/settings", key: key ?? undefined, body });
    for (const bad of [{ spendLimitCents: -1 }, { spendLimitCents: 0.5 }, { spendLimitCents: "100" }, {}, { spendLimitCents: 1, plan: "pro" }]) {
      const res = await patch(bad);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe("invalid_request");
    }
    expect((await patch({ spendLimitCents: 100 }, null)).status).toBe(401);
    const reader = await createKey(t.id, ["billing:read", "sessions:write"]);
    expect((await patch({ spendLimitCents: 100 }, reader.secret)).status).toBe(403);
    expect(await db().tenantBilling.findUnique({ where: { tenantId: t.id } })).toBeNull();
    const ok = await patch({ spendLimitCents: 100 });
    expect(ok.status).toBe(200);
    const audit = await db().auditEvent.findFirstOrThrow({ where: { tenantId: t.id, action: "billing.spend_limit_changed" } });
    expect(audit).toMatchObject({ actorType: "key", actorId: t.keyId, metadata: { from: null, to: 100 } });
  });
});

describe("GET /api/v1/billing/plans", () => {
  it("lists the seeded price book with quotas; 401 and 403 like the summary", async () => {
    const t = await createTestTenant();
    const res = await call(plansRoute.GET, { path: "/api/v1/billing/plans", key: t.key });
    expect(res.status).toBe(200);
    const plans = planListSchema.parse(res.body).data;
    const free = plans.find((p) => p.id === "free")!;
    expect(free).toEqual({
      id: "free", name: "Free", monthlyFeeCents: 0,
      prices: [
        { meter: "vcpu_seconds", unitPriceUsd: "0.000014", includedQuantity: "36000" },
        { meter: "memory_gib_seconds", unitPriceUsd: "0.0000045", includedQuantity: "72000" },
        { meter: "gpu_seconds", unitPriceUsd: "0.000583", includedQuantity: "0" },
        { meter: "snapshot_gib_hours", unitPriceUsd: "0.00014", includedQuantity: "7200" },
        { meter: "network_egress_gib", unitPriceUsd: "0.09", includedQuantity: "5" },
      ],
      quotas: { maxRunningSessions: 20, maxVcpu: 32, maxMemoryMib: 65_536, maxSnapshotBytes: 53_687_091_200, maxLifetimeSeconds: 86_400, logBytesPerSecond: 1_048_576, logMaxBytes: 67_108_864 },
    });
    expect(plans.map((p) => p.id)).toEqual(expect.arrayContaining(["free", "pro", "enterprise"]));
    expect(plans.slice(0, 3).map((p) => p.id)).toEqual(["free", "pro", "enterprise"]);
    expect((await call(plansRoute.GET, { path: "/api/v1/billing/plans" })).status).toBe(401);
    const noBilling = await createKey(t.id, ["sessions:read"]);
    expect((await call(plansRoute.GET, { path: "/api/v1/billing/plans", key: noBilling.secret })).status).toBe(403);
  });
});

describe("npm run admin -- set-plan | set-quota", () => {
  const admin = (...args: string[]) =>
    run("npx", ["tsx", "scripts/admin.ts", ...args], { env: { ...process.env, DATABASE_URL: process.env.DATABASE_URL }, timeout: 60_000 });

  it("moves a tenant to a plan and sets, then clears, a quota override", { timeout: 120_000 }, async () => {
    const t = await createTestTenant();
    const plan = await admin("set-plan", "--tenant", t.slug, "--plan", "enterprise");
    expect(JSON.parse(plan.stdout)).toEqual({ tenant: t.slug, plan: "enterprise" });
    const quota = await admin("set-quota", "--tenant", t.slug, "--max-vcpu", "0.5", "--max-snapshot-bytes", "1073741824");
    expect(JSON.parse(quota.stdout)).toEqual({
      tenant: t.slug, source: "override",
      quota: { maxRunningSessions: 1000, maxVcpu: 0.5, maxMemoryMib: 4_194_304, maxSnapshotBytes: "1073741824", maxLifetimeSeconds: 86_400 },
    });
    expect(await db().tenantQuota.findUniqueOrThrow({ where: { tenantId: t.id } })).toMatchObject({ maxVcpu: 0.5, maxSnapshotBytes: 1_073_741_824n });
    const cleared = await admin("set-quota", "--tenant", t.slug, "--clear");
    expect(JSON.parse(cleared.stdout)).toMatchObject({ source: "plan", quota: { maxVcpu: 2048 } });
    expect(await db().tenantQuota.findUnique({ where: { tenantId: t.id } })).toBeNull();
  });

  it("exits 1 with a message for an unknown plan, and checks its arguments before touching the database", { timeout: 120_000 }, async () => {
    const t = await createTestTenant();
    const failed = await admin("set-plan", "--tenant", t.slug, "--plan", "gold").then(() => null, (err: { code: number; stderr: string }) => err);
    expect(failed?.code).toBe(1);
    expect(failed?.stderr).toMatch(/No plan 'gold'/);
    for (const [args, message] of [
      [{ tenant: t.slug }, /at least one limit/],
      [{ tenant: t.slug, clear: true, "max-vcpu": "2" }, /either --clear or limits/],
      [{ tenant: t.slug, "max-running-sessions": "many" }, /expected number/],
      [{ tenant: t.slug, "max-snapshot-bytes": "1e9" }, /whole number of bytes/],
      [{ tenant: "Not A Slug", "max-vcpu": "1" }, /.+/],
    ] as const) {
      const parsed = setQuotaArgsSchema.safeParse(args);
      expect(parsed.success).toBe(false);
      expect(parsed.error?.issues.map((i) => i.message).join("; ")).toMatch(message);
    }
    expect(setQuotaArgsSchema.parse({ tenant: t.slug, "max-vcpu": "0.5", "max-snapshot-bytes": "1073741824" })).toEqual({ tenant: t.slug, "max-vcpu": 0.5, "max-snapshot-bytes": 1073741824n });
  });
});
