// GET /sessions: search, sort (created, state, duration, cost) and the cost column, against real Postgres.
import { describe, expect, it } from "vitest";
import * as sessionsRoute from "@/app/api/v1/sessions/route";
import { getTenantPlan } from "@/lib/billing/price-book";
import { db } from "@/lib/db/client";
import { newId } from "@/lib/ids";
import { testPool } from "./billing-fixtures";
import { call, createTestTenant } from "./helpers";

const list = (key: string, query: string) => call(sessionsRoute.GET, { path: `/api/v1/sessions?${query}`, key });

describe("sessions list", () => {
  it("searches by id, label and template, sorts by duration and cost, and prices each session's usage", async () => {
    const t = await createTestTenant();
    const pool = await testPool();
    const make = async (labels: Record<string, string>) => {
      const res = await call(sessionsRoute.POST, { method: "POST", path: "/api/v1/sessions", key: t.key, body: { pool, labels, resources: { vcpu: 0.25, memoryMib: 64 } } });
      expect(res.status).toBe(201);
      return res.body.id as string;
    };
    const [a, b, c] = [await make({ team: "search-alpha" }), await make({ team: "beta" }), await make({})];
    const now = Date.now();
    // Durations: a ran 10 minutes, b 1 minute, c is still going (created 2 hours ago).
    await db().session.update({ where: { id: a }, data: { state: "terminated", createdAt: new Date(now - 3_600_000), terminatedAt: new Date(now - 3_000_000) } });
    await db().session.update({ where: { id: b }, data: { state: "terminated", createdAt: new Date(now - 3_600_000), terminatedAt: new Date(now - 3_540_000) } });
    await db().session.update({ where: { id: c }, data: { state: "running", createdAt: new Date(now - 7_200_000) } });
    // Usage: b used the most, c none.
    const hour = new Date(Math.floor(now / 3_600_000) * 3_600_000 - 3_600_000);
    const usage = (sessionId: string, quantity: string) => ({
      subjectId: `test_${newId("ses")}`, meter: "vcpu_seconds", hour, tenantId: t.id, sessionId, templateName: "base", apiKeyId: null, dimension: "", quantity,
    });
    await db().usageHour.createMany({ data: [usage(a, "100"), usage(b, "3000"), usage(b, "600")] });
    const vcpuPrice = Number((await getTenantPlan(t.id)).prices.find((p) => p.meter === "vcpu_seconds")!.unitPriceUsd);

    const ids = (res: { body: { data: { id: string }[] } }) => res.body.data.map((s) => s.id);
    expect(ids(await list(t.key, ""))).toEqual([c, b, a]);
    expect(ids(await list(t.key, `q=${a.slice(-8).toLowerCase()}`))).toEqual([a]);
    expect(ids(await list(t.key, "q=ALPHA"))).toEqual([a]);
    expect(ids(await list(t.key, "q=team%3Dbeta"))).toEqual([b]);
    expect(ids(await list(t.key, "q=bas"))).toEqual([c, b, a]);
    expect(ids(await list(t.key, "q=%25"))).toEqual([]); // a literal %, not a wildcard
    expect(ids(await list(t.key, "sort=duration&order=desc"))).toEqual([c, a, b]);
    expect(ids(await list(t.key, "sort=duration&order=asc"))).toEqual([b, a, c]);
    expect(ids(await list(t.key, "sort=state&order=asc"))).toEqual([c, a, b]); // running before terminated, then by id, same direction
    expect(ids(await list(t.key, "sort=created&order=asc"))).toEqual([a, b, c]);

    const byCost = await list(t.key, "sort=cost");
    expect(ids(byCost)).toEqual([b, a, c]);
    expect(byCost.body.data.map((s: { costUsd: string }) => Number(s.costUsd))).toEqual([3600 * vcpuPrice, 100 * vcpuPrice, 0].map((x) => Number(x.toFixed(6))));

    // Pages of a computed order carry on from the row count.
    const first = await list(t.key, "sort=cost&limit=2");
    expect(ids(first)).toEqual([b, a]);
    expect(first.body.nextCursor).toBe("2");
    const second = await list(t.key, `sort=cost&limit=2&cursor=${first.body.nextCursor}`);
    expect(ids(second)).toEqual([c]);
    expect(second.body.nextCursor).toBeNull();
    const created = await list(t.key, "limit=2");
    expect(ids(await list(t.key, `limit=2&cursor=${created.body.nextCursor}`))).toEqual([a]);

    expect((await list(t.key, "sort=price")).status).toBe(400);
    // Another tenant's sessions are never found, by search or by sort.
    const other = await createTestTenant();
    expect(ids(await list(other.key, `q=${a}`))).toEqual([]);
    expect(ids(await list(other.key, "sort=cost"))).toEqual([]);
  });
});
