// Quotas and placement need no sandbox: they are decided when the session row is written. These
// tests register runners that only declare capacity (this machine has no GPU).
import { describe, expect, it } from "vitest";
import * as resumeRoute from "@/app/api/v1/sessions/[id]/resume/route";
import * as sessionsRoute from "@/app/api/v1/sessions/route";
import { db } from "@/lib/db/client";
import { registerRunner } from "@/lib/runners/runner-registry";
import { call, createKey, createTestTenant, uniqueSlug } from "./helpers";

async function runner(opts: { vcpu?: number; memoryMib?: number; gpus?: number; pool: string }) {
  return registerRunner({
    name: uniqueSlug("runner"), address: "http://127.0.0.1:9", backend: "test",
    vcpu: opts.vcpu ?? 64, memoryMib: opts.memoryMib ?? 262_144, gpus: opts.gpus ?? 0, gpuType: opts.gpus ? "test-gpu" : null,
    labels: { pool: opts.pool }, capabilities: {},
  });
}

const create = (key: string, body: Record<string, unknown>) => call(sessionsRoute.POST, { method: "POST", path: "/api/v1/sessions", key, body });

describe("session quotas", () => {
  it("starts exactly the quota out of 50 parallel creates; the rest get 429 quota_exceeded with limit and used", async () => {
    const t = await createTestTenant();
    const pool = uniqueSlug("pool");
    await runner({ pool });
    await db().tenantQuota.create({ data: { tenantId: t.id, maxRunningSessions: 10, maxVcpu: 100, maxMemoryMib: 1_000_000, maxSnapshotBytes: 10n ** 12n, maxLifetimeSeconds: 86_400 } });
    const results = await Promise.all(Array.from({ length: 50 }, () => create(t.key, { pool, resources: { vcpu: 0.5, memoryMib: 128 } })));
    const created = results.filter((r) => r.status === 201);
    const refused = results.filter((r) => r.status === 429);
    expect(created).toHaveLength(10);
    expect(refused).toHaveLength(40);
    for (const r of refused) expect(r.body.error).toMatchObject({ code: "quota_exceeded", details: { quota: "running_sessions", limit: 10, used: 10 } });
    expect(await db().session.count({ where: { tenantId: t.id } })).toBe(10);
  });

  it("counts vCPU and memory, and refuses a lifetime above the tenant's maximum", async () => {
    const t = await createTestTenant();
    const pool = uniqueSlug("pool");
    await runner({ pool });
    await db().tenantQuota.create({ data: { tenantId: t.id, maxRunningSessions: 10, maxVcpu: 2, maxMemoryMib: 1024, maxSnapshotBytes: 10n ** 12n, maxLifetimeSeconds: 3600 } });
    expect((await create(t.key, { pool, resources: { vcpu: 2, memoryMib: 256 } })).status).toBe(201);
    const cpu = await create(t.key, { pool, resources: { vcpu: 1, memoryMib: 256 } });
    expect(cpu.body.error.details).toMatchObject({ quota: "vcpu", limit: 2, used: 2 });
    const lifetime = await create(t.key, { pool, timeoutSeconds: 7200, resources: { vcpu: 0.1, memoryMib: 64 } });
    expect(lifetime.status).toBe(429);
    expect(lifetime.body.error.details.quota).toBe("max_lifetime_seconds");
  });
});

describe("placement", () => {
  it("places by free capacity within the requested pool and refuses when nothing fits", async () => {
    const t = await createTestTenant();
    const pool = uniqueSlug("pool");
    const small = await runner({ pool, vcpu: 1, memoryMib: 1024 });
    const big = await runner({ pool, vcpu: 8, memoryMib: 8192 });
    const first = await create(t.key, { pool, resources: { vcpu: 4, memoryMib: 1024 } });
    expect(first.body.runnerId).toBe(big.id);
    const second = await create(t.key, { pool, resources: { vcpu: 1, memoryMib: 512 } });
    expect(second.body.runnerId).toBe(big.id); // 4 free there vs 1 on the small one
    const tooBig = await create(t.key, { pool, resources: { vcpu: 16, memoryMib: 512 } });
    expect(tooBig.status).toBe(503);
    expect(tooBig.body.error.details.reason).toBe("no_capacity");
    expect(tooBig.headers.get("retry-after")).toBeTruthy();
    expect(small.id).not.toBe(big.id);
  });

  it("puts a GPU session only on a runner that declares GPUs", async () => {
    const t = await createTestTenant();
    const pool = uniqueSlug("pool");
    await runner({ pool, vcpu: 32 });
    const gpu = await runner({ pool, vcpu: 4, gpus: 1 });
    const res = await create(t.key, { pool, resources: { vcpu: 1, memoryMib: 512, gpus: 1 } });
    expect(res.status).toBe(201);
    expect(res.body.runnerId).toBe(gpu.id);
    const second = await create(t.key, { pool, resources: { vcpu: 1, memoryMib: 512, gpus: 1 } });
    expect(second.status).toBe(503);
  });

  it("answers 503 no_runner for a pool nobody serves, 400 for bad input, 403 without sessions:write", async () => {
    const t = await createTestTenant();
    const none = await create(t.key, { pool: uniqueSlug("empty") });
    expect(none.status).toBe(503);
    expect(none.body.error.details.reason).toBe("no_runner");
    expect((await create(t.key, { template: "nope" })).status).toBe(400);
    expect((await create(t.key, { resources: { vcpu: -1 } })).status).toBe(400);
    expect((await create(t.key, { env: { "BAD NAME": "x" } })).status).toBe(400);
    expect((await create(t.key, { timeoutSeconds: 100_000 })).status).toBe(400);
    const reader = await createKey(t.id, ["sessions:read"]);
    expect((await create(reader.secret, {})).status).toBe(403);
  });
});

describe("waking a hibernated session", () => {
  it("places it again in the pool it was created for, not on the runner with the most room", async () => {
    const t = await createTestTenant();
    const pool = uniqueSlug("pool");
    const own = await runner({ pool, vcpu: 4 });
    await runner({ pool: uniqueSlug("pool"), vcpu: 10_000 }); // far more room, another pool
    const created = await create(t.key, { pool });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    await db().session.update({ where: { id }, data: { state: "hibernated", desiredState: "hibernated", runnerId: null } });
    const resumed = await call(resumeRoute.POST, { method: "POST", path: `/api/v1/sessions/${id}/resume`, key: t.key, params: { id } });
    expect(resumed.status).toBe(200);
    expect((await db().session.findUniqueOrThrow({ where: { id } })).runnerId).toBe(own.id);
  });
});
