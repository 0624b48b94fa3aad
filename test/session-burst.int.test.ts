// Creates and bursts on a real runner (real runc): a burst across two tenants starts every session
// it admitted with exact quotas; an exec right after a create ends its wait on the session's change
// notice (not a poll); and an idle runner's database statements do not grow with its sessions.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as execRoute from "@/app/api/v1/sessions/[id]/exec/route";
import * as sessionsRoute from "@/app/api/v1/sessions/route";
import { SCOPES } from "@/lib/auth/scopes";
import { db } from "@/lib/db/client";
import { tenantDb } from "@/lib/db/tenant-scope";
import { newId } from "@/lib/ids";
import { RUNNER_SECRET_HEADER, runnerSecret } from "@/lib/runners/runner-client";
import { ensureSessionRunning } from "@/lib/sessions/ensure-running";
import { ACTIVE_STATES } from "@/lib/sessions/state-machine";
import { call, createTestTenant, type TestTenant } from "./helpers";
import { removeDataDir, startRunner, terminateAllSessions, type TestRunner } from "./runner-process";
import { waitFor } from "./wait-for";

const IDLE = { pauseAfterSeconds: null, hibernateAfterSeconds: null };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let runner: TestRunner;
const tenants: TestTenant[] = [];

beforeAll(async () => {
  runner = await startRunner({ vcpu: 64 });
});
afterAll(async () => {
  for (const t of tenants) await terminateAllSessions(t);
  await runner.stop();
  removeDataDir(runner.dataDir);
});

async function tenantWithQuota(maxRunningSessions: number) {
  const t = await createTestTenant();
  tenants.push(t);
  await db().tenantQuota.create({ data: { tenantId: t.id, maxRunningSessions, maxVcpu: 100, maxMemoryMib: 1_000_000, maxSnapshotBytes: 10n ** 12n, maxLifetimeSeconds: 86_400 } });
  return t;
}

const create = (t: TestTenant) =>
  call(sessionsRoute.POST, { method: "POST", path: "/api/v1/sessions", key: t.key, body: { pool: runner.pool, resources: { vcpu: 0.5, memoryMib: 64 }, idle: IDLE } });

const activeCount = (tenantId: string) => db().session.count({ where: { tenantId, state: { in: [...ACTIVE_STATES] } } });

describe("a burst of creates across two tenants", () => {
  it("starts every admitted session (none lost, none failed) and keeps each tenant's quota exact", async () => {
    const [a, b] = [await tenantWithQuota(5), await tenantWithQuota(5)];
    const results = await Promise.all([...Array.from({ length: 8 }, () => create(a)), ...Array.from({ length: 8 }, () => create(b))]);
    const byTenant = (t: TestTenant, from: number) => results.slice(from, from + 8);
    for (const [t, from] of [[a, 0], [b, 8]] as const) {
      const mine = byTenant(t, from);
      expect(mine.filter((r) => r.status === 201)).toHaveLength(5);
      expect(mine.filter((r) => r.status === 429)).toHaveLength(3);
    }
    const ids = results.filter((r) => r.status === 201).map((r) => r.body.id as string);
    await waitFor(async () => (await db().session.count({ where: { id: { in: ids }, state: { in: ["running", "failed"] } } })) === ids.length, { timeoutMs: 90_000, what: "every admitted session running" });
    const states = await db().session.findMany({ where: { id: { in: ids } }, select: { state: true, failureReason: true } });
    expect(states.filter((s) => s.state !== "running")).toEqual([]);
    expect(await activeCount(a.id)).toBe(5);
    expect(await activeCount(b.id)).toBe(5);
    // At the quota, one more of either is refused, each by its own count.
    expect((await create(a)).status).toBe(429);
    expect((await create(b)).status).toBe(429);
    await terminateAllSessions(a);
    await terminateAllSessions(b);
  }, 180_000);
});

describe("an exec right after its create", () => {
  it("ends the wait for running on the session's change notice, without a poll", async () => {
    const t = await tenantWithQuota(4);
    const ctx = { tenantId: t.id, tenantSlug: t.slug, actor: { type: "system" as const, id: null, label: "test" }, role: null, scopes: SCOPES, db: tenantDb(t.id), ip: null, requestId: newId("req") };
    const created = await create(t);
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    // A fallback far beyond the test's patience: only a notice can end this wait in time.
    const { session, waited } = await ensureSessionRunning(ctx, id, { wake: true, fallbackPollMs: 600_000, timeoutMs: 60_000 });
    expect(session.state).toBe("running");
    expect(waited.polls).toBe(0);
    expect(waited.notices).toBeGreaterThanOrEqual(1);
    const ran = await call(execRoute.POST, { method: "POST", path: `/api/v1/sessions/${id}/exec`, key: t.key, params: { id }, body: { command: ["true"] } });
    expect(ran.status).toBe(200);
    expect(ran.body.exitCode).toBe(0);
    await terminateAllSessions(t);
  }, 120_000);
});

describe("an idle runner", () => {
  const statements = async () => {
    const address = (await db().runner.findUniqueOrThrow({ where: { id: runner.id } })).address;
    const res = await fetch(`${address}/internal/stats`, { headers: { [RUNNER_SECRET_HEADER]: runnerSecret() } });
    return ((await res.json()) as { statements: number }).statements;
  };
  const WINDOW_MS = 6_000;
  /** Statements the runner sends over the window while nothing changes. */
  const idleStatements = async () => {
    const before = await statements();
    await sleep(WINDOW_MS);
    return (await statements()) - before;
  };

  it("sends no more statements per tick with five sessions than with one", async () => {
    const t = await tenantWithQuota(10);
    const ids: string[] = [];
    const startAndSettle = async (n: number) => {
      for (let i = 0; i < n; i++) ids.push((await create(t)).body.id as string);
      await waitFor(async () => (await db().session.count({ where: { id: { in: ids }, state: "running" } })) === ids.length, { timeoutMs: 60_000, what: "sessions running" });
      await sleep(6_000); // past a metrics tick: a new sandbox's start-up CPU counts as activity once
    };
    await startAndSettle(1);
    const withOne = await idleStatements();
    await startAndSettle(4);
    const withFive = await idleStatements();
    // Per-session work per tick would add at least one statement per session per second (24 here);
    // what differs is the phase of the 2 s and 5 s ticks within the window.
    expect(withOne).toBeGreaterThan(0);
    expect(withFive - withOne).toBeLessThanOrEqual(8);
    await terminateAllSessions(t);
  }, 180_000);
});
