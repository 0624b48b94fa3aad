// Resource metrics from a real runner sampling real sandboxes, the metrics API (raw and bucketed),
// and tenant-wide concurrency from a constructed state timeline.
import { describe, expect, it } from "vitest";
import * as metricsRoute from "@/app/api/v1/sessions/[id]/metrics/route";
import * as execRoute from "@/app/api/v1/sessions/[id]/exec/route";
import * as pauseRoute from "@/app/api/v1/sessions/[id]/pause/route";
import * as concurrencyRoute from "@/app/api/v1/sessions/concurrency/route";
import * as sessionsRoute from "@/app/api/v1/sessions/route";
import { db } from "@/lib/db/client";
import { newId } from "@/lib/ids";
import { call, createKey, createTestTenant } from "./helpers";
import { useRunnerAndTenant, waitForRunnerValue } from "./runner-process";
import { sessionRowIn } from "./session-rows";

// The runner child process inherits this: sample every second so the test is short.
process.env.METRICS_SAMPLE_INTERVAL_MS = "1000";
const env = useRunnerAndTenant();

const waitFor = <T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs?: number) =>
  waitForRunnerValue(env.runner, what, read, ok, timeoutMs);

const samplesOf = (sessionId: string, since = new Date(0)) =>
  db().sessionMetric.findMany({ where: { sessionId, at: { gte: since } }, orderBy: { at: "asc" } });

const getMetrics = (id: string, query = "", auth: { key?: string } = { key: env.tenant.key }) =>
  call(metricsRoute.GET, { path: `/api/v1/sessions/${id}/metrics${query}`, params: { id }, ...auth });

describe("resource metrics of a real sandbox", () => {
  it("samples CPU near one vCPU under a CPU burner, memory and pids, and keeps sampling while paused", async () => {
    const created = await call(sessionsRoute.POST, {
      method: "POST", path: "/api/v1/sessions", key: env.tenant.key,
      body: { pool: env.runner.pool, resources: { vcpu: 1 }, idle: { pauseAfterSeconds: null, hibernateAfterSeconds: null } },
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    await waitFor("an idle sample", () => samplesOf(id), (s) => s.length >= 2);

    const burnStart = new Date();
    const burn = await call(execRoute.POST, {
      method: "POST", path: `/api/v1/sessions/${id}/exec`, key: env.tenant.key, params: { id },
      // The shell reports the CPU time its reaped children used (cutime + cstime, in clock ticks):
      // what the burner really got, which a loaded test machine may hold well below one vCPU.
      body: { command: ["sh", "-c", "timeout 6 sh -c 'while :; do :; done'; cut -d' ' -f16,17 /proc/$$/stat"] },
    });
    expect(burn.status).toBe(200);
    const burnEnd = new Date();
    const [cutime, cstime] = (burn.body.stdout as string).trim().split(" ").map(Number);
    const burnerVcpu = (cutime + cstime) / 100 / ((burnEnd.getTime() - burnStart.getTime()) / 1000);
    const during = (await samplesOf(id, burnStart)).filter((s) => s.at <= burnEnd);
    expect(during.length).toBeGreaterThanOrEqual(3);
    const peak = Math.max(...during.map((s) => s.cpuVcpu));
    // One busy loop under a 1-vCPU limit: the peak sample is at least the burner's average rate
    // (less a little for the window edges), and never past the limit.
    expect(burnerVcpu).toBeGreaterThan(0.05);
    expect(peak).toBeGreaterThan(burnerVcpu * 0.8);
    expect(peak).toBeLessThan(1.3);
    for (const s of during) {
      expect(Number(s.memoryBytes)).toBeGreaterThan(0);
      expect(s.pids).toBeGreaterThanOrEqual(1);
      expect(s.tenantId).toBe(env.tenant.id);
    }

    // Once the burner is gone the sandbox is idle again.
    const after = await waitFor("idle samples after the burn", () => samplesOf(id, new Date(burnEnd.getTime() + 1500)), (s) => s.length >= 2);
    expect(Math.min(...after.map((s) => s.cpuVcpu))).toBeLessThan(0.2);

    // The API answers the same samples, raw (well under 500 in the default hour).
    const res = await getMetrics(id);
    expect(res.status).toBe(200);
    expect(res.body.bucketSeconds).toBeNull();
    expect(res.body.sessionId).toBe(id);
    const apiPeak = Math.max(...res.body.data.map((p: { cpuVcpu: number }) => p.cpuVcpu));
    expect(apiPeak).toBeCloseTo(peak, 5);
    expect(res.body.data.every((p: { samples: number }) => p.samples === 1)).toBe(true);

    // Paused: frozen, still measured (memory kept, no CPU).
    expect((await call(pauseRoute.POST, { method: "POST", path: `/api/v1/sessions/${id}/pause`, key: env.tenant.key, params: { id } })).status).toBe(200);
    const pausedRow = await waitFor("paused", () => db().session.findUniqueOrThrow({ where: { id } }), (s) => s.state === "paused");
    const paused = await waitFor("samples while paused", () => samplesOf(id, new Date(pausedRow.stateChangedAt.getTime() + 1500)), (s) => s.length >= 2);
    for (const s of paused) {
      expect(s.cpuVcpu).toBeLessThan(0.05);
      expect(Number(s.memoryBytes)).toBeGreaterThan(0);
    }
  });

  it("answers 400, 401, 403 and 404 as documented", async () => {
    const { id } = await sessionRowIn("running", undefined, {}, env.tenant);
    expect((await getMetrics(id, "?from=2030-01-01T01:00:00Z&to=2030-01-01T00:00:00Z")).status).toBe(400);
    expect((await getMetrics(id, "?from=yesterday")).status).toBe(400);
    expect((await getMetrics(id, "?from=2020-01-01T00:00:00Z&to=2030-01-01T00:00:00Z")).status).toBe(400);
    expect((await getMetrics(id, "?step=5")).status).toBe(400);
    expect((await getMetrics(id, "", {})).status).toBe(401);
    const writeOnly = await createKey(env.tenant.id, ["sessions:write"]);
    const forbidden = await getMetrics(id, "", { key: writeOnly.secret });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.error.code).toBe("forbidden");
    const other = await createTestTenant();
    expect((await getMetrics(id, "", { key: other.key })).status).toBe(404);
    expect((await getMetrics("ses_nope")).status).toBe(404);
  });

  it("aggregates a long range into at most 500 buckets: average CPU, maximum memory and pids", async () => {
    const { id, tenant } = await sessionRowIn("running");
    const from = new Date(Date.UTC(2031, 0, 1));
    // Two days of samples every 10 s: CPU alternates 0 and 1, memory and pids grow.
    await db().$executeRaw`
      INSERT INTO session_metrics (session_id, at, tenant_id, cpu_vcpu, memory_bytes, pids)
      SELECT ${id}, ${from}::timestamptz + i * interval '10 seconds', ${tenant.id}, (i % 2)::float8, i * 1000, i % 50
      FROM generate_series(0, 17279) AS i`;
    const to = new Date(from.getTime() + 2 * 86_400_000);
    const res = await getMetrics(id, `?from=${from.toISOString()}&to=${to.toISOString()}`, { key: tenant.key });
    expect(res.status).toBe(200);
    expect(res.body.bucketSeconds).toBe(600); // 172800 s / 500 = 345.6 s → the next readable width
    expect(res.body.data).toHaveLength(288);
    expect(res.body.data[0]).toEqual({ at: from.toISOString(), cpuVcpu: 0.5, memoryBytes: 59_000, pids: 49, samples: 60 });
    expect(res.body.data[287]).toMatchObject({ at: new Date(to.getTime() - 600_000).toISOString(), memoryBytes: 17_279_000, samples: 60 });

    // A range holding at most 500 samples is answered raw.
    const hour = await getMetrics(id, `?from=${from.toISOString()}&to=${new Date(from.getTime() + 3_600_000).toISOString()}`, { key: tenant.key });
    expect(hour.body.bucketSeconds).toBeNull();
    expect(hour.body.data).toHaveLength(360);
    expect(hour.body.data[1]).toEqual({ at: new Date(from.getTime() + 10_000).toISOString(), cpuVcpu: 1, memoryBytes: 1000, pids: 1, samples: 1 });
  });
});

describe("tenant concurrency", () => {
  // A day ago, on a whole second: open intervals end at now, so the timeline must be in the past.
  const T0 = Math.floor((Date.now() - 86_400_000) / 1000) * 1000;
  const at = (s: number) => new Date(T0 + s * 1000);

  async function timeline() {
    const tenant = await createTestTenant();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await sessionRowIn("running", undefined, {}, tenant)).id);
    const [a, b, c] = ids;
    const events: [string, string | null, string, number][] = [
      [a, null, "pending", -10], [a, "pending", "running", 0], [a, "running", "paused", 30], [a, "paused", "running", 50], [a, "running", "terminated", 70],
      [b, null, "pending", 5], [b, "pending", "running", 10], [b, "running", "hibernated", 40],
      [c, null, "pending", -100], [c, "pending", "running", -90], [c, "running", "paused", 25],
    ];
    await db().sessionEvent.createMany({
      data: events.map(([sessionId, fromState, toState, s]) => ({ id: newId("sev"), tenantId: tenant.id, sessionId, fromState, toState, cause: "api", createdAt: at(s) })),
    });
    return tenant;
  }

  const getConcurrency = (query: string, auth: { key?: string }) => call(concurrencyRoute.GET, { path: `/api/v1/sessions/concurrency${query}`, ...auth });

  it("counts running and paused sessions per bucket from the state timeline", async () => {
    const tenant = await timeline();
    const res = await getConcurrency(`?from=${at(0).toISOString()}&to=${at(80).toISOString()}&step=20`, { key: tenant.key });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ from: at(0).toISOString(), to: at(80).toISOString(), stepSeconds: 20 });
    expect(res.body.data).toEqual([
      { at: at(0).toISOString(), running: 3, paused: 0 }, // a, b and c (running since before the range)
      { at: at(20).toISOString(), running: 3, paused: 2 }, // c pauses at 25 s, a at 30 s
      { at: at(40).toISOString(), running: 1, paused: 2 }, // b hibernates at 40 s; a runs again at 50 s
      { at: at(60).toISOString(), running: 1, paused: 1 }, // a terminates at 70 s; c stays paused
    ]);

    // Another tenant sees none of it.
    const other = await createTestTenant();
    const theirs = await getConcurrency(`?from=${at(0).toISOString()}&to=${at(80).toISOString()}&step=20`, { key: other.key });
    expect(theirs.body.data.every((p: { running: number; paused: number }) => p.running === 0 && p.paused === 0)).toBe(true);
  });

  it("defaults to the last 24 hours in at most 500 buckets, and refuses bad ranges and steps", async () => {
    const tenant = await createTestTenant();
    const res = await getConcurrency("", { key: tenant.key });
    expect(res.status).toBe(200);
    expect(res.body.stepSeconds).toBe(300);
    expect(res.body.data).toHaveLength(288);
    expect((await getConcurrency(`?from=${at(10).toISOString()}&to=${at(0).toISOString()}`, { key: tenant.key })).status).toBe(400);
    expect((await getConcurrency(`?from=${at(0).toISOString()}&to=${at(86_400).toISOString()}&step=1`, { key: tenant.key })).status).toBe(400);
    expect((await getConcurrency("?step=0", { key: tenant.key })).status).toBe(400);
    expect((await getConcurrency("?limit=3", { key: tenant.key })).status).toBe(400);
    expect((await getConcurrency("", {})).status).toBe(401);
    const writeOnly = await createKey(tenant.id, ["sessions:write"]);
    expect((await getConcurrency("", { key: writeOnly.secret })).status).toBe(403);
  });
});
