// Warm pools on a real runner and real runc (README "Warm pools"): a runner keeping
// WARM_POOL=base:1x512x1024:2; matching creates take a started sandbox, others start cold.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as eventsRoute from "@/app/api/v1/sessions/[id]/events/route";
import * as execRoute from "@/app/api/v1/sessions/[id]/exec/route";
import * as hibernateRoute from "@/app/api/v1/sessions/[id]/hibernate/route";
import * as resumeRoute from "@/app/api/v1/sessions/[id]/resume/route";
import * as sessionRoute from "@/app/api/v1/sessions/[id]/route";
import * as snapshotsRoute from "@/app/api/v1/sessions/[id]/snapshots/route";
import * as sessionsRoute from "@/app/api/v1/sessions/route";
import * as usageRoute from "@/app/api/v1/usage/route";
import { db } from "@/lib/db/client";
import { rollupUsage } from "@/lib/usage";
import { parseQuantity } from "@/lib/usage/quantity";
import { call, createTestTenant, type TestTenant } from "./helpers";
import { removeDataDir, startRunner, terminateAllSessions, type TestRunner, waitForSessionState } from "./runner-process";

const SHAPE = { vcpu: 1, memoryMib: 512, diskMib: 1024 };
const SIZE = 2;
const state = {} as { runner: TestRunner; tenant: TestTenant; other: TestTenant };

beforeAll(async () => {
  state.runner = await startRunner({ env: { WARM_POOL: `base:${SHAPE.vcpu}x${SHAPE.memoryMib}x${SHAPE.diskMib}:${SIZE}` } });
  state.tenant = await createTestTenant();
  state.other = await createTestTenant();
}, 60_000);

afterAll(async () => {
  await terminateAllSessions(state.tenant);
  await terminateAllSessions(state.other);
  if (process.env.DEBUG_RUNNER) console.log(state.runner.output());
  await state.runner.stop();
  // The runner removed its unclaimed pooled sandboxes on the way out.
  expect(await db().pooledSandbox.count({ where: { runnerId: state.runner.id } })).toBe(0);
  removeDataDir(state.runner.dataDir);
}, 60_000);

const sandboxDir = (id: string) => path.join(state.runner.dataDir, "sandboxes", id);
const containerExists = (id: string) => spawnSync("runc", ["state", `burrow-${id}`]).status === 0;

const create = (body: Record<string, unknown> = {}, tenant = state.tenant) =>
  call(sessionsRoute.POST, {
    method: "POST", path: "/api/v1/sessions", key: tenant.key,
    body: { pool: state.runner.pool, resources: { memoryMib: SHAPE.memoryMib, diskMib: SHAPE.diskMib }, idle: { pauseAfterSeconds: null, hibernateAfterSeconds: null }, ...body },
  });

const exec = (id: string, command: string[], tenant = state.tenant) =>
  call(execRoute.POST, { method: "POST", path: `/api/v1/sessions/${id}/exec`, key: tenant.key, params: { id }, body: { command } });

const terminate = async (id: string, tenant = state.tenant) => {
  await call(sessionRoute.DELETE, { method: "DELETE", path: `/api/v1/sessions/${id}`, key: tenant.key, params: { id } });
  return waitForSessionState(state.runner, id, "terminated");
};

/** Bounded wait until the runner holds `size` ready pooled sandboxes. */
async function poolReady(size = SIZE, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ready = await db().pooledSandbox.findMany({ where: { runnerId: state.runner.id, status: "ready", sessionId: null } });
    if (ready.length >= size) return ready;
    if (Date.now() > deadline) throw new Error(`pool has ${ready.length} ready of ${size}\n${state.runner.output().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** When runc says the container was created. */
function containerCreatedAt(sandboxId: string): number {
  const out = spawnSync("runc", ["state", `burrow-${sandboxId}`], { encoding: "utf8" });
  return Date.parse(JSON.parse(out.stdout).created);
}

describe("warm pools", () => {
  it("a matching create takes a started sandbox; execs see the session's env; billing starts at the claim", async () => {
    const ready = await poolReady();
    const before = Date.now();
    const res = await create({ env: { GREETING: "hello from the pool" } });
    expect(res.status).toBe(201);
    const id = res.body.id as string;
    const row = await db().session.findUniqueOrThrow({ where: { id } });
    // Running as created, on a sandbox started before the create (no container was started for it).
    expect(row.state).toBe("running");
    expect(ready.map((r) => r.id)).toContain(row.sandboxId);
    expect(containerCreatedAt(row.sandboxId!)).toBeLessThan(before);
    expect(row.stateChangedAt.getTime()).toBeGreaterThanOrEqual(before - 5);

    const out = await exec(id, ["sh", "-c", "echo $GREETING; pwd; hostname"]);
    expect(out.status).toBe(200);
    expect(out.body.stdout).toBe("hello from the pool\n/workspace\nsandbox\n");
    // The container lists as the session's: the runner leaves it alone.
    await new Promise((r) => setTimeout(r, 1500));
    expect((await db().session.findUniqueOrThrow({ where: { id } })).state).toBe("running");
    expect((await exec(id, ["printenv", "GREETING"])).body.stdout).toBe("hello from the pool\n");

    const done = await terminate(id);
    expect(existsSync(sandboxDir(row.sandboxId!))).toBe(false);
    expect(containerExists(row.sandboxId!)).toBe(false);

    // The timeline starts at the claim: running, then terminating and terminated.
    const events = (await call(eventsRoute.GET, { path: `/api/v1/sessions/${id}/events`, key: state.tenant.key, params: { id } })).body.data as { id: string; toState: string; fromState: string | null; cause: string; at: string }[];
    const ordered = events.map((e) => ({ ...e, t: Date.parse(e.at) })).sort((a, b) => a.t - b.t || (a.id < b.id ? -1 : 1));
    expect(ordered[0]).toMatchObject({ fromState: null, toState: "running", cause: "warm_pool" });
    expect(ordered[0].t).toBeGreaterThanOrEqual(before - 5);
    const runningMs = ordered.reduce((a, e, i) => a + (e.toState === "running" && i + 1 < ordered.length ? ordered[i + 1].t - e.t : 0), 0);

    // Usage: exactly the session's running time since the claim; the pool's idle time is no one's.
    const hourOf = (t: number) => Math.floor(t / 3_600_000) * 3_600_000;
    const from = new Date(hourOf(ordered[0].t) - 3_600_000);
    const now = new Date(done.terminatedAt!.getTime() + 60_000);
    await rollupUsage({ tenantId: state.tenant.id, from, now });
    const range = `from=${from.toISOString()}&to=${new Date(hourOf(now.getTime()) + 3_600_000).toISOString()}`;
    const usage = await call(usageRoute.GET, { path: `/api/v1/usage?${range}&groupBy=session`, key: state.tenant.key });
    expect(usage.status).toBe(200);
    const vcpu = usage.body.data.filter((r: any) => r.meter === "vcpu_seconds");
    expect(vcpu.every((r: any) => r.key === id)).toBe(true);
    expect(vcpu.reduce((a: bigint, r: any) => a + parseQuantity(r.quantity), 0n)).toBe(BigInt(runningMs) * 1000n);
  }, 120_000);

  it("refills to its size after a claim", async () => {
    await poolReady();
    const res = await create();
    expect(res.status).toBe(201);
    const ready = await poolReady();
    expect(ready).toHaveLength(SIZE);
    expect(ready.map((r) => r.id)).not.toContain((await db().session.findUniqueOrThrow({ where: { id: res.body.id } })).sandboxId);
    await terminate(res.body.id);
  }, 120_000);

  it("a spec that does not match and a fork take the cold path", async () => {
    await poolReady();
    const other = await create({ resources: { memoryMib: 384, diskMib: SHAPE.diskMib } });
    expect(other.status).toBe(201);
    const otherRow = await db().session.findUniqueOrThrow({ where: { id: other.body.id } });
    expect(otherRow).toMatchObject({ state: "pending", sandboxId: null });
    await waitForSessionState(state.runner, other.body.id, "running");
    expect((await exec(other.body.id, ["sh", "-c", "echo cold > /workspace/f"])).body.exitCode).toBe(0);

    const snap = await call(snapshotsRoute.POST, { method: "POST", path: `/api/v1/sessions/${other.body.id}/snapshots`, key: state.tenant.key, params: { id: other.body.id } });
    expect(snap.status).toBe(201);
    const fork = await create({ fromSnapshot: snap.body.id });
    expect(fork.status).toBe(201);
    expect(await db().session.findUniqueOrThrow({ where: { id: fork.body.id } })).toMatchObject({ state: "pending", sandboxId: null });
    await waitForSessionState(state.runner, fork.body.id, "running");
    expect((await exec(fork.body.id, ["cat", "/workspace/f"])).body.stdout).toBe("cold\n");
    expect(await db().pooledSandbox.count({ where: { runnerId: state.runner.id, sessionId: null } })).toBe(SIZE);
    await terminate(fork.body.id);
    await terminate(other.body.id);
  }, 120_000);

  it("two concurrent creates never take the same sandbox", async () => {
    await poolReady();
    const [a, b] = await Promise.all([create({}, state.tenant), create({}, state.other)]);
    expect([a.status, b.status]).toEqual([201, 201]);
    const rows = await db().session.findMany({ where: { id: { in: [a.body.id, b.body.id] } } });
    expect(rows.every((r) => r.sandboxId !== null && r.state === "running")).toBe(true);
    expect(new Set(rows.map((r) => r.sandboxId)).size).toBe(2);
    expect((await exec(a.body.id, ["true"], state.tenant)).body.exitCode).toBe(0);
    expect((await exec(b.body.id, ["true"], state.other)).body.exitCode).toBe(0);
    await terminate(a.body.id, state.tenant);
    await terminate(b.body.id, state.other);
  }, 120_000);

  it("a pooled sandbox never carries state from a previous claim", async () => {
    await poolReady();
    const first = await create();
    const firstRow = await db().session.findUniqueOrThrow({ where: { id: first.body.id } });
    expect(firstRow.sandboxId).not.toBeNull();
    expect((await exec(first.body.id, ["sh", "-c", "echo secret > /workspace/left; echo secret > /tmp/left; echo secret > /root/left"])).body.exitCode).toBe(0);
    await terminate(first.body.id);
    expect(existsSync(sandboxDir(firstRow.sandboxId!))).toBe(false);
    expect(containerExists(firstRow.sandboxId!)).toBe(false);

    // Every sandbox the pool hands out from now on: none has the files.
    for (let i = 0; i < SIZE + 1; i++) {
      await poolReady();
      const next = await create();
      const row = await db().session.findUniqueOrThrow({ where: { id: next.body.id } });
      expect(row.sandboxId).not.toBeNull();
      expect(row.sandboxId).not.toBe(firstRow.sandboxId);
      const look = await exec(next.body.id, ["sh", "-c", "ls /workspace /tmp /root; cat /workspace/left /tmp/left /root/left 2>/dev/null; echo end"]);
      expect(look.body.stdout).not.toContain("secret");
      expect(look.body.stdout).not.toMatch(/\bleft\b/);
      await terminate(next.body.id);
    }
  }, 180_000);

  it("a claimed session hibernates and wakes like any other, keeping its files and env", async () => {
    await poolReady();
    const res = await create({ env: { GREETING: "still here" } });
    const id = res.body.id as string;
    const row = await db().session.findUniqueOrThrow({ where: { id } });
    expect(row.sandboxId).not.toBeNull();
    expect((await exec(id, ["sh", "-c", "echo kept > /workspace/kept"])).body.exitCode).toBe(0);
    expect((await call(hibernateRoute.POST, { method: "POST", path: `/api/v1/sessions/${id}/hibernate`, key: state.tenant.key, params: { id } })).status).toBe(200);
    await waitForSessionState(state.runner, id, "hibernated");
    // Recorded before its container goes (a crash leaves garbage, never data loss): wait, bounded.
    // Its files may stay on the runner as the hibernate cache; the container itself is gone.
    for (let i = 0; i < 100 && containerExists(row.sandboxId!); i++) await new Promise((r) => setTimeout(r, 100));
    expect(containerExists(row.sandboxId!)).toBe(false);
    expect((await call(resumeRoute.POST, { method: "POST", path: `/api/v1/sessions/${id}/resume`, key: state.tenant.key, params: { id } })).status).toBe(200);
    await waitForSessionState(state.runner, id, "running");
    const out = await exec(id, ["sh", "-c", "cat /workspace/kept; echo $GREETING"]);
    expect(out.body.stdout).toBe("kept\nstill here\n");
    // Woken on a sandbox of its own: the runner does not try to adopt the pooled one again.
    await new Promise((r) => setTimeout(r, 1500));
    expect(state.runner.output()).not.toMatch(new RegExp(`adopting \\S+ for ${id}`));
    await terminate(id);
  }, 120_000);

  it("a restarted runner keeps its claimed sandboxes and replaces its unclaimed ones", async () => {
    await poolReady();
    const res = await create({ env: { GREETING: "across restarts" } });
    const id = res.body.id as string;
    const sandboxId = (await db().session.findUniqueOrThrow({ where: { id } })).sandboxId!;
    expect((await exec(id, ["sh", "-c", "echo mine > /workspace/mine"])).body.exitCode).toBe(0);
    const unclaimedBefore = (await poolReady()).map((r) => r.id);
    await state.runner.stop();
    expect(await db().pooledSandbox.count({ where: { runnerId: state.runner.id, sessionId: null } })).toBe(0);
    for (const u of unclaimedBefore) expect(containerExists(u)).toBe(false);
    state.runner = await startRunner({ name: state.runner.name, pool: state.runner.pool, dataDir: state.runner.dataDir, env: { WARM_POOL: `base:${SHAPE.vcpu}x${SHAPE.memoryMib}x${SHAPE.diskMib}:${SIZE}` } });
    const out = await exec(id, ["sh", "-c", "cat /workspace/mine; echo $GREETING"]);
    expect(out.body.stdout).toBe("mine\nacross restarts\n");
    expect(containerExists(sandboxId)).toBe(true);
    expect((await db().session.findUniqueOrThrow({ where: { id } })).state).toBe("running");
    const after = (await poolReady()).map((r) => r.id);
    expect(after.some((a) => unclaimedBefore.includes(a))).toBe(false);
    await terminate(id);
    expect(containerExists(sandboxId)).toBe(false);
  }, 180_000);

  it("the quota counts a claimed session", async () => {
    await poolReady();
    const t = await createTestTenant();
    await db().tenantQuota.create({ data: { tenantId: t.id, maxRunningSessions: 1, maxVcpu: 100, maxMemoryMib: 100_000, maxSnapshotBytes: 10n ** 12n, maxLifetimeSeconds: 86_400 } });
    const first = await create({}, t);
    expect(first.status).toBe(201);
    expect((await db().session.findUniqueOrThrow({ where: { id: first.body.id } })).sandboxId).not.toBeNull();
    const second = await create({}, t);
    expect(second.status).toBe(429);
    expect(second.body.error).toMatchObject({ code: "quota_exceeded", details: { quota: "running_sessions" } });
    await terminate(first.body.id, t);
  }, 120_000);
});
