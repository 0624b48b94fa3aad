// Benchmark `scale` (also `runner-idle`): what idle sessions cost their runner. One real runner worker (child process)
// holds 1, 25, 100, … idle running sessions (BENCH_SCALE_SIZES); at each size, after a settle, the
// runner's CPU (its own, and that of the child processes it ran and reaped) and the statements it
// sent to the database (queries/s, from its GET /internal/stats) are measured over an idle window, then the round trip of `true` executed through the runner's exec endpoint (the call
// the web app makes for POST /sessions/{id}/exec). Reported as ratios to the smallest size.
// The real scheduler worker runs alongside (child process), so the lost-runner job and the idle
// policy are live: after each size's execs every session must still be `running`, and the runner's
// row, sampled throughout, must never have left `online` (its largest heartbeat gap is reported).
// Sessions are created and terminated with the domain functions in this process (no web server
// needed): `npm run bench -- scale`.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { knob } from "./lib/knob";
import type { Cleanup } from "./lib/lifecycle";
import { processTreeRss } from "./lib/process-rss";
import { runc, runcList } from "./lib/raw-runc";
import { runInfo, writeResult } from "./lib/results";
import { startBenchRunner, type BenchRunner } from "./lib/runner";
import { watchRunner, type RunnerWatchResult } from "./lib/runner-watch";
import { startBenchScheduler, type BenchScheduler } from "./lib/scheduler";
import { round, summarize, type LatencySummary } from "./lib/stats";

export type ScaleParams = { sizes: number[]; windowMs: number; settleMs: number; execs: number; vcpu: number; memoryMib: number };
export type ScaleTarget = { databaseUrl: string; tenant: string; runnerSecret: string };

const MAX_SIZE = 500;

/** BENCH_SCALE_SIZES (comma list, 1..500; the smallest is the baseline), BENCH_SCALE_WINDOW_S, BENCH_SCALE_SETTLE_S, BENCH_SCALE_EXECS. */
export function scaleParams(): ScaleParams {
  const raw = process.env.BENCH_SCALE_SIZES || "1,25,100,250";
  const sizes = [...new Set(raw.split(",").map((s) => Number(s.trim())))].sort((a, b) => a - b);
  if (!sizes.length || sizes.some((n) => !Number.isInteger(n) || n < 1 || n > MAX_SIZE)) throw new Error(`BENCH_SCALE_SIZES must list integers in 1..${MAX_SIZE}`);
  return {
    sizes,
    windowMs: knob("BENCH_SCALE_WINDOW_S", 10, 5, 60) * 1000,
    // Past one metrics tick (METRICS_SAMPLE_INTERVAL_MS, 5 s), so the window sees steady state.
    settleMs: knob("BENCH_SCALE_SETTLE_S", 6, 0, 30) * 1000,
    execs: knob("BENCH_SCALE_EXECS", 50, 10, 500, { integer: true }),
    vcpu: 0.1,
    memoryMib: 64,
  };
}

/** Rounded for the report; a measurement is always finite here. */
const fixed = (x: number, digits: number) => round(x, digits) ?? NaN;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** utime, stime, cutime, cstime of proc(5) (fields 14-17; 11-14 after the command name), in seconds. */
function cpuTimes(pid: number): [number, number, number, number] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return [f[11], f[12], f[13], f[14]].map((x) => Number(x) / CLOCK_TICKS) as [number, number, number, number];
  } catch {
    return null; // gone meanwhile
  }
}

/**
 * CPU seconds of a process: its own, and its children's: those it ran and reaped (each `runc`),
 * plus what its live descendants used so far (a reaped one moves into cutime, so deltas add up).
 * Sandboxes are not among them: `runc run -d` leaves a container's init to PID 1.
 */
function processCpu(pid: number): { self: number; children: number } {
  const own = cpuTimes(pid);
  if (!own) throw new Error(`process ${pid} is gone`);
  const descendants = processTreeRss(pid).pids.filter((p) => p !== pid);
  const live = descendants.reduce((sum, p) => sum + ((t) => (t ? t[0] + t[1] : 0))(cpuTimes(p)), 0);
  return { self: own[0] + own[1], children: own[2] + own[3] + live };
}

type SizeResult = {
  sessions: number;
  runnerCpuPercent: { self: number; children: number; total: number };
  /** Statements the runner sent over the idle window (its Prisma pool; GET /internal/stats), per second. */
  runnerQueriesPerSecond: number;
  runnerRssMb: number;
  execTrue: LatencySummary;
  loadAverage: number[];
  /** Of all sessions, after the idle window and the execs: all must still be running. */
  sessionsAfter: { running: number; failed: number; other: number };
  /** The runner's row, sampled from this size's first create to the end of its execs. */
  runnerRow: RunnerWatchResult;
};

export async function benchScale(target: ScaleTarget, p: ScaleParams, log: (m: string) => void, cleanup: Cleanup) {
  process.env.DATABASE_URL = target.databaseUrl;
  const { db, disconnectDb } = await import("../lib/db/client");
  const { tenantDb } = await import("../lib/db/tenant-scope");
  const { newId } = await import("../lib/ids");
  const { SCOPES } = await import("../lib/auth/scopes");
  const { createSession, changeDesiredState, createSessionSchema } = await import("../lib/sessions");
  const { setTenantQuota } = await import("../lib/quotas/set-tenant-quota");
  const { RUNNER_SECRET_HEADER } = await import("../lib/runners/runner-client");

  const info = runInfo();
  const failures: string[] = [];
  const tenant = await db().tenant.findUniqueOrThrow({ where: { slug: target.tenant } });
  const ctx = {
    tenantId: tenant.id, tenantSlug: tenant.slug, actor: { type: "system" as const, id: null, label: "bench scale" },
    role: null, scopes: SCOPES, db: tenantDb(tenant.id), ip: null, requestId: newId("req"),
  };
  const largest = p.sizes[p.sizes.length - 1];
  await setTenantQuota({ ctx, input: { set: { maxRunningSessions: largest + 10, maxVcpu: 100_000, maxMemoryMib: 100_000_000 } } });

  const runId = Math.random().toString(36).slice(2, 8);
  const pool = `bench-scale-${runId}`;
  const runnerDir = mkdtempSync(path.join(os.tmpdir(), "burrow-bench-scale-"));
  let runner: BenchRunner | null = null;
  let scheduler: BenchScheduler | null = null;
  const ids: string[] = [];

  let tornDown: Promise<void> | null = null;
  const teardown = () => (tornDown ??= tearDownOnce());
  const tearDownOnce = async () => {
    // First, so that the runner stopping at the end is not judged by the lost-runner job.
    await scheduler?.stop();
    log(`scale: terminating ${ids.length} session(s)`);
    for (let i = 0; i < ids.length; i += 16) {
      await Promise.all(ids.slice(i, i + 16).map((id) => changeDesiredState({ ctx, input: { id, desired: "terminated" } }).catch((e) => log(`scale: terminate ${id}: ${(e as Error).message}`))));
    }
    const deadline = Date.now() + 180_000;
    while (Date.now() < deadline && (await db().session.count({ where: { id: { in: ids }, state: { notIn: ["terminated", "failed"] } } })) > 0) await sleep(250);
    await runner?.stop();
    const ours = new Set(ids.map((id) => `burrow-${id}`));
    const leftovers = (await runcList().catch(() => [])).filter((c) => ours.has(c.id));
    for (const c of leftovers) await runc(["delete", "--force", c.id]);
    if (leftovers.length) failures.push(`runc still listed ${leftovers.length} container(s) of this run after terminate`);
    else rmSync(runnerDir, { recursive: true, force: true });
    await disconnectDb();
  };
  cleanup.add("scale runner", teardown, () => {
    scheduler?.kill();
    runner?.kill();
  });

  const results: SizeResult[] = [];
  try {
    runner = await startBenchRunner({
      name: `bench-scale-runner-${runId}`,
      pool,
      api: { isOnline: async (name) => (await db().runner.count({ where: { name, status: "online" } })) > 0 },
      env: {
        DATABASE_URL: target.databaseUrl,
        DATA_DIR: runnerDir,
        RUNNER_SECRET: target.runnerSecret,
        RUNNER_VCPU: String(Math.ceil(largest * p.vcpu) + 4),
        RUNNER_MEMORY_MIB: String(largest * p.memoryMib + 4096),
      },
    });
    const runnerRow = await db().runner.findUniqueOrThrow({ where: { name: runner.name } });
    const address = runnerRow.address;
    // The bench's database is its own: the scheduler's cluster-wide jobs touch only this run.
    scheduler = await startBenchScheduler({ env: { DATABASE_URL: target.databaseUrl, DATA_DIR: runnerDir, RUNNER_SECRET: target.runnerSecret } });
    log("scale: scheduler running (lost-runner job and idle policy live)");
    const runnerStatements = async () => {
      const res = await fetch(`${address}/internal/stats`, { headers: { [RUNNER_SECRET_HEADER]: target.runnerSecret } });
      return ((await res.json()) as { statements: number }).statements;
    };
    const readRunner = () => db().runner.findUniqueOrThrow({ where: { id: runnerRow.id }, select: { status: true, lastHeartbeatAt: true } });
    const input = createSessionSchema.parse({ pool, resources: { vcpu: p.vcpu, memoryMib: p.memoryMib }, idle: { pauseAfterSeconds: null, hibernateAfterSeconds: null } });

    for (const size of p.sizes) {
      if (cleanup.signal.aborted) break;
      log(`scale: ${size} idle session(s): creating ${size - ids.length}`);
      const watch = watchRunner(readRunner);
      while (ids.length < size) {
        const batch = await Promise.all(Array.from({ length: Math.min(8, size - ids.length) }, () => createSession({ ctx, input })));
        ids.push(...batch.map((s) => s.id));
      }
      const deadline = Date.now() + 300_000;
      while ((await db().session.count({ where: { id: { in: ids }, state: "running" } })) < ids.length) {
        const failed = await db().session.count({ where: { id: { in: ids }, state: "failed" } });
        if (failed || Date.now() > deadline) {
          const watched = await watch.stop();
          throw new Error(`${failed} failed / not all ${ids.length} running in time; runner row ${JSON.stringify(watched)}; scheduler output:\n${scheduler.output().slice(-1000)}\nrunner output:\n${runner.output().slice(-2000)}`);
        }
        await sleep(200);
      }
      await sleep(p.settleMs);

      const statementsBefore = await runnerStatements();
      const before = processCpu(runner.pid);
      const startedAt = Date.now();
      await sleep(p.windowMs);
      const after = processCpu(runner.pid);
      const statementsAfter = await runnerStatements();
      const seconds = (Date.now() - startedAt) / 1000;
      const pct = (x: number) => fixed((100 * x) / seconds, 1);
      const rss = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${runner.pid}/status`, "utf8"));

      const latencies: number[] = [];
      for (let i = 0; i < p.execs; i++) {
        const id = ids[i % ids.length];
        const t0 = performance.now();
        const res = await fetch(`${address}/internal/sessions/${id}/exec`, {
          method: "POST",
          headers: { "content-type": "application/json", [RUNNER_SECRET_HEADER]: target.runnerSecret },
          body: JSON.stringify({ command: ["true"], timeoutMs: 10_000, stream: false }),
        });
        const text = await res.text();
        latencies.push(performance.now() - t0);
        if (!res.ok || !text.includes('"exitCode":0')) failures.push(`exec true on ${id} at ${size} sessions: ${res.status} ${text.slice(0, 200)}`);
      }
      const states = await db().session.findMany({ where: { id: { in: ids } }, select: { state: true } });
      const count = (state: string) => states.filter((s) => s.state === state).length;
      const sessionsAfter = { running: count("running"), failed: count("failed"), other: states.length - count("running") - count("failed") };
      const watched = await watch.stop();
      if (sessionsAfter.running !== size) failures.push(`at ${size} sessions, ${sessionsAfter.running} still running (${sessionsAfter.failed} failed, ${sessionsAfter.other} other)`);
      if (watched.everLeftOnline) failures.push(`at ${size} sessions, the runner's row left online: ${JSON.stringify(watched.statuses)}`);
      if (!scheduler.alive()) failures.push(`the scheduler exited:\n${scheduler.output().slice(-2000)}`);
      const result: SizeResult = {
        sessions: size,
        runnerCpuPercent: { self: pct(after.self - before.self), children: pct(after.children - before.children), total: pct(after.self + after.children - before.self - before.children) },
        runnerQueriesPerSecond: fixed((statementsAfter - statementsBefore) / seconds, 2),
        runnerRssMb: rss ? fixed(Number(rss[1]) / 1024, 1) : NaN,
        execTrue: summarize(latencies),
        loadAverage: os.loadavg().map((x) => fixed(x, 2)),
        sessionsAfter,
        runnerRow: watched,
      };
      results.push(result);
      log(`scale: ${size}: runner CPU ${result.runnerCpuPercent.self}% + ${result.runnerCpuPercent.children}% children, ${result.runnerQueriesPerSecond} queries/s, exec true p50 ${round(result.execTrue.p50, 1)} ms, ${sessionsAfter.running} running / ${sessionsAfter.failed} failed, heartbeat gap max ${watched.heartbeatGapMaxS} s`);
      if (sessionsAfter.running !== size) break;
    }
  } catch (err) {
    failures.push((err as Error).message);
  } finally {
    await teardown().catch((e) => failures.push(`teardown: ${(e as Error).message}`));
  }

  const base = results[0];
  const ratio = (a: number, b: number) => (b > 0 ? round(a / b, 2) : null);
  const curve = results.map((r) => ({
    ...r,
    vsBaseline: base && {
      cpuTotal: ratio(r.runnerCpuPercent.total, base.runnerCpuPercent.total),
      queriesPerSecond: ratio(r.runnerQueriesPerSecond, base.runnerQueriesPerSecond),
      execP50: ratio(r.execTrue.p50, base.execTrue.p50),
      execP99: ratio(r.execTrue.p99, base.execTrue.p99),
    },
  }));
  const warnings: string[] = [];
  // Anything the lost-runner job or the idle policy did is printed; nothing is expected here.
  const schedulerActions = (scheduler?.output() ?? "").split("\n").filter((l) => /\[scheduler\] (declare-lost-runners|idle-policy|terminate-unplaced-sessions)[: ]/.test(l));
  if (schedulerActions.some((l) => l.includes("declare-lost-runners"))) failures.push(`the lost-runner job acted: ${schedulerActions.join(" | ").slice(0, 1000)}`);
  if (info.loadAverage[0] > info.cpuCount / 2) warnings.push(`the machine was busy before the run (1-min load ${info.loadAverage[0]} on ${info.cpuCount} CPUs); absolute figures are noisy`);
  const result = {
    valid: failures.length === 0 && results.length === p.sizes.length,
    failures, warnings,
    loadAverageAfter: os.loadavg().map((x) => round(x, 2)),
    schedulerActions,
  };
  const file = writeResult("scale", {
    name: "scale", ...info, parameters: p,
    what: "per size: sessions created with the domain's createSession on one runner worker (idle policy off), all running, settle, then the runner process's CPU over the window from /proc/<pid>/stat (self: utime+stime; children: cutime+cstime, i.e. processes it ran and reaped, such as runc, plus utime+stime of its live descendants), then execs of `true` one at a time, round-robin over the sessions, through the runner's internal exec endpoint with the runner secret (the web app's call, without the web app); the scheduler worker runs throughout (lost-runner job, idle policy); after the execs the sessions' states are counted (all must be running) and the runner's row, read every 250 ms from the size's first create to then, must never have left online (heartbeat gap: time between consecutive distinct lastHeartbeatAt values; age: now minus lastHeartbeatAt at a sample)",
    curve, ...result,
  });
  const lines = [
    `  sessions | runner CPU % self + children = total | total × baseline | queries/s (× baseline) | exec true p50 / p99 ms | × baseline p50 / p99 | running / failed after | runner left online | heartbeat gap / age max s`,
    ...curve.map((r) => `  ${String(r.sessions).padStart(8)} | ${r.runnerCpuPercent.self} + ${r.runnerCpuPercent.children} = ${r.runnerCpuPercent.total} | ${r.vsBaseline?.cpuTotal ?? "-"} | ${r.runnerQueriesPerSecond} (${r.vsBaseline?.queriesPerSecond ?? "-"}) | ${round(r.execTrue.p50, 1)} / ${round(r.execTrue.p99, 1)} | ${r.vsBaseline?.execP50 ?? "-"} / ${r.vsBaseline?.execP99 ?? "-"} | ${r.sessionsAfter.running} / ${r.sessionsAfter.failed} | ${r.runnerRow.everLeftOnline ? "yes" : "no"} | ${r.runnerRow.heartbeatGapMaxS} / ${r.runnerRow.heartbeatAgeMaxS}  (load ${r.loadAverage[0]})`),
  ];
  return { result, file, lines };
}
