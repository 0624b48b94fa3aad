// A real session's lifetime in usage, to the millisecond: a real runner and sandbox run, pause,
// hibernate (a real snapshot), wake and terminate it; the rollup's usage equals its state timeline
// as the API lists it, and the snapshot's storage equals its size × the time it was kept.
import { describe, expect, it } from "vitest";
import * as sessionRoute from "@/app/api/v1/sessions/[id]/route";
import * as eventsRoute from "@/app/api/v1/sessions/[id]/events/route";
import * as hibernateRoute from "@/app/api/v1/sessions/[id]/hibernate/route";
import * as pauseRoute from "@/app/api/v1/sessions/[id]/pause/route";
import * as resumeRoute from "@/app/api/v1/sessions/[id]/resume/route";
import * as sessionsRoute from "@/app/api/v1/sessions/route";
import * as usageRoute from "@/app/api/v1/usage/route";
import { db } from "@/lib/db/client";
import { rollupUsage } from "@/lib/usage";
import { parseQuantity } from "@/lib/usage/quantity";
import { call } from "./helpers";
import { useRunnerAndTenant, waitForSessionState } from "./runner-process";

const env = useRunnerAndTenant();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const waitForState = (id: string, state: string, timeoutMs?: number) => waitForSessionState(env.runner, id, state, timeoutMs);

const action = (route: { POST: typeof pauseRoute.POST }, id: string, name: string) =>
  call(route.POST, { method: "POST", path: `/api/v1/sessions/${id}/${name}`, key: env.tenant.key, params: { id } });

describe("a real session in usage", () => {
  it("shows its lifetime exactly: running, paused, and its snapshot while stored", async () => {
    const created = await call(sessionsRoute.POST, {
      method: "POST", path: "/api/v1/sessions", key: env.tenant.key,
      body: { pool: env.runner.pool, resources: { vcpu: 0.5, memoryMib: 256 }, idle: { pauseAfterSeconds: null, hibernateAfterSeconds: null } },
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    await waitForState(id, "running");
    // The sleeps are time spent in each state, not waits for something to happen: the usage is
    // checked against the recorded timeline, and only its lower bounds against them.
    await sleep(1200);
    expect((await action(pauseRoute, id, "pause")).status).toBe(200);
    await waitForState(id, "paused");
    await sleep(700);
    expect((await action(hibernateRoute, id, "hibernate")).status).toBe(200);
    const hibernated = await waitForState(id, "hibernated");
    await sleep(300);
    expect((await action(resumeRoute, id, "resume")).status).toBe(200);
    await waitForState(id, "running");
    await sleep(500);
    await call(sessionRoute.DELETE, { method: "DELETE", path: `/api/v1/sessions/${id}`, key: env.tenant.key, params: { id } });
    const done = await waitForState(id, "terminated");

    // The timeline as the API lists it: each state lasts until the next event.
    const events = (await call(eventsRoute.GET, { path: `/api/v1/sessions/${id}/events`, key: env.tenant.key, params: { id } })).body.data as { id: string; toState: string; at: string }[];
    const ordered = events.map((e) => ({ id: e.id, state: e.toState, at: Date.parse(e.at) })).sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : 1));
    const msIn = (state: string) => ordered.reduce((a, e, i) => a + (e.state === state && i + 1 < ordered.length ? ordered[i + 1].at - e.at : 0), 0);
    const running = msIn("running");
    const paused = msIn("paused");
    expect(running).toBeGreaterThanOrEqual(1700);
    expect(paused).toBeGreaterThanOrEqual(700);

    // Roll up to one hour after the end: the snapshot (kept after the wake, until it expires) is
    // stored all that time.
    const now = new Date(done.terminatedAt!.getTime() + 3_600_000);
    const hourOf = (t: number) => Math.floor(t / 3_600_000) * 3_600_000;
    await rollupUsage({ tenantId: env.tenant.id, from: new Date(hourOf(ordered[0].at)), now });
    const range = `from=${new Date(hourOf(ordered[0].at)).toISOString()}&to=${new Date(hourOf(now.getTime()) + 3_600_000).toISOString()}`;
    const usage = await call(usageRoute.GET, { path: `/api/v1/usage?${range}&groupBy=session`, key: env.tenant.key });
    expect(usage.status).toBe(200);
    const total = (meter: string) => usage.body.data.filter((r: any) => r.key === id && r.meter === meter).reduce((a: bigint, r: any) => a + parseQuantity(r.quantity), 0n);
    // 0.5 vCPU × running ms / 1000 → micro-units: running × 500; 0.25 GiB × (running + paused) → × 250.
    expect(total("vcpu_seconds")).toBe(BigInt(running) * 500n);
    expect(total("memory_gib_seconds")).toBe(BigInt(running + paused) * 250n);
    expect(total("gpu_seconds")).toBe(0n);

    const snapshot = await db().snapshot.findUniqueOrThrow({ where: { id: hibernated.snapshotId! } });
    const storedMs = BigInt(now.getTime() - snapshot.createdAt.getTime());
    const den = (1n << 30n) * 3_600_000n;
    const exactMicro = (snapshot.storedBytes * storedMs * 1_000_000n * 2n + den) / (2n * den);
    expect(total("snapshot_gib_hours")).toBe(exactMicro);
  }, 150_000); // five real lifecycle steps, each waited for: generous on a loaded machine
});
