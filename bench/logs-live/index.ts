// Benchmark: live logs over SSE on the production server, each figure against a baseline measured
// in the same run (see the phase files):
//   a. line → SSE client latency at 1,000 lines/s in total, written directly (appendSessionLogs)
//      and printed inside real sandboxes; baseline: a raw pg LISTEN client getting the NOTIFY;
//   b. 1,000 idle-ish SSE clients on one web process: connect rate, server memory per client;
//      baseline: a bare node:http SSE server holding as many streams;
//   c. fan-out of one line to 1,000 subscribers of one session; baselines: the NOTIFY, and the
//      bare server's broadcast to as many streams;
//   d. a client that reads nothing is cut loose, the server's memory stays bounded.
// Sessions run on a real runner worker (child process); all are terminated at the end.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createJsonClient } from "../lib/json-client";
import type { Cleanup } from "../lib/lifecycle";
import { runcList } from "../lib/raw-runc";
import { runInfo, writeResult } from "../lib/results";
import { startBenchRunner, type BenchRunner } from "../lib/runner";
import { round } from "../lib/stats";
import { phaseFanout, phaseIdleClients } from "./clients";
import { type LiveCtx, NoticeListener, sleep } from "./context";
import { phaseDirectLatency, phaseSandboxLatency } from "./latency";
import type { Log, LogsLiveParams } from "./params";
import { phaseSlowClient } from "./slow-client";
import { summaryLines } from "./summary";

export { logsLiveParams } from "./params";

export type LogsLiveTarget = { serverUrl: string; serverPid: number; databaseUrl: string; apiKey: string; tenant: string; runnerSecret: string; nextBuildId: string };

const msg = (err: unknown) => (err instanceof Error ? err.message : String(err));

export async function benchLogsLive(target: LogsLiveTarget, p: LogsLiveParams, log: Log, cleanup: Cleanup) {
  const failures: string[] = [];
  const warnings: string[] = [];
  const info = runInfo();
  const runId = randomBytes(3).toString("hex");
  const pool = `logs-${runId}`;
  const runnerDir = mkdtempSync(path.join(os.tmpdir(), "burrow-bench-logs-runner-"));
  const http = createJsonClient({ baseUrl: target.serverUrl, apiKey: target.apiKey, maxSockets: 16, timeoutMs: 120_000 });
  const notices = new NoticeListener(target.databaseUrl);
  const sessions: string[] = [];
  let runner: BenchRunner | null = null;
  let torn: Promise<string[]> | null = null;
  const teardown = () => (torn ??= (async () => {
    for (const id of sessions) await http.request("DELETE", `/api/v1/sessions/${id}`).catch(() => {});
    const deadline = Date.now() + 60_000;
    for (const id of sessions) {
      while (Date.now() < deadline) {
        const s = await http.request<{ state: string }>("GET", `/api/v1/sessions/${id}`).catch(() => null);
        if (!s || s.body.state === "terminated" || s.body.state === "failed") break;
        await sleep(200);
      }
    }
    await runner?.stop();
    await notices.stop();
    http.close();
    rmSync(runnerDir, { recursive: true, force: true });
    const leftovers = (await runcList().catch(() => [])).filter((c) => sessions.some((s) => c.id === `burrow-${s}`)).map((c) => c.id);
    return leftovers;
  })());
  cleanup.add("logs-live bench", async () => void (await teardown()), () => runner?.kill());

  const phases: Record<string, unknown> = {};
  try {
    process.env.DATABASE_URL = target.databaseUrl;
    const { db } = await import("../../lib/db/client");
    const tenant = await db().tenant.findUniqueOrThrow({ where: { slug: target.tenant } });
    const quota = { maxRunningSessions: 100_000, maxVcpu: 1_000_000, maxMemoryMib: 1_000_000_000, maxSnapshotBytes: 10n ** 13n, maxLifetimeSeconds: 86_400 };
    await db().tenantQuota.upsert({ where: { tenantId: tenant.id }, create: { tenantId: tenant.id, ...quota }, update: quota });
    await notices.start();

    log(`starting a runner (pool ${pool}) and ${p.sessions} sessions`);
    runner = await startBenchRunner({
      name: `bench-logs-runner-${runId}`, pool, api: http,
      env: { DATABASE_URL: target.databaseUrl, DATA_DIR: runnerDir, RUNNER_SECRET: target.runnerSecret, RUNNER_VCPU: "64", RUNNER_MEMORY_MIB: "65536" },
    });
    for (let i = 0; i < p.sessions; i++) {
      const s = await http.ok<{ id: string }>("POST", "/api/v1/sessions", {
        template: "base", resources: { vcpu: 1, memoryMib: 128 }, idle: { pauseAfterSeconds: null, hibernateAfterSeconds: null }, pool,
      });
      sessions.push(s.id);
    }
    // The first exec waits until the session runs.
    await Promise.all(sessions.map((id) => http.ok("POST", `/api/v1/sessions/${id}/exec`, { command: ["true"] })));

    const ctx: LiveCtx = { serverUrl: target.serverUrl, apiKey: target.apiKey, tenantId: tenant.id, sessions, serverPid: target.serverPid, notices, log, signal: cleanup.signal };
    const phase = async (name: string, fn: () => Promise<Record<string, unknown>>) => {
      if (cleanup.signal.aborted) throw new Error("interrupted");
      const t0 = Date.now();
      try {
        const r = await fn();
        phases[name] = { ...r, phaseSeconds: round((Date.now() - t0) / 1000, 1) };
        if (typeof r.lostAtSseClient === "number" && r.lostAtSseClient > 0) failures.push(`${name}: ${r.lostAtSseClient} lines never reached the SSE client`);
      } catch (err) {
        if (cleanup.signal.aborted) throw err;
        failures.push(`${name}: ${msg(err)}`);
        phases[name] = { failed: msg(err), phaseSeconds: round((Date.now() - t0) / 1000, 1) };
        log(`${name} FAILED: ${msg(err)}`);
      }
    };
    await phase("latencyDirect", () => phaseDirectLatency(ctx, p));
    await phase("latencySandbox", () => phaseSandboxLatency(ctx, p, http));
    await phase("idleClients", () => phaseIdleClients(ctx, p));
    await phase("fanout", () => phaseFanout(ctx, p));
    await phase("slowClient", () => phaseSlowClient(ctx, p));
    const slow = phases.slowClient as { slowClientDropped?: boolean; readingClientGotEveryLine?: boolean; resumedWithLastEventId?: { noGapNoDuplicate: boolean } } | undefined;
    if (slow && slow.slowClientDropped === false) failures.push("slowClient: the server did not drop a client that reads nothing");
    if (slow && slow.readingClientGotEveryLine === false) failures.push("slowClient: the reading client missed lines");
    if (slow?.resumedWithLastEventId && !slow.resumedWithLastEventId.noGapNoDuplicate) failures.push("slowClient: resuming with Last-Event-ID did not give exactly the missing lines");
  } catch (err) {
    failures.push(msg(err));
  } finally {
    const leftovers = await teardown();
    if (leftovers.length) failures.push(`runc still lists containers of this run: ${leftovers.join(", ")}`);
    if (runner && failures.length) phases.runnerOutputTail = runner.output().split("\n").slice(-30);
    const { disconnectDb } = await import("../../lib/db/client");
    await disconnectDb();
  }
  if (info.loadAverage[0] > info.cpuCount / 2) warnings.push(`the machine was busy before the run (1-min load ${info.loadAverage[0]} on ${info.cpuCount} CPUs)`);

  const result = {
    name: "logs-live",
    ...info,
    nextBuildId: target.nextBuildId,
    parameters: {
      ...p,
      server: "next start (production build), one process, 127.0.0.1, API_RATE_LIMIT_PER_MINUTE=100000000",
      clients: "node:http, one socket per stream, all in the bench process (which also writes the lines and runs the baseline listener)",
      runner: "workers/runner as a child process; sessions on real runc sandboxes",
      database: "embedded Postgres, fresh temp data directory, same host",
    },
    phases,
    valid: failures.length === 0,
    failures,
    warnings,
    loadAverageAfter: os.loadavg().map((x) => Math.round(x * 100) / 100),
  };
  const file = writeResult("logs-live", result);
  return { result, file, lines: summaryLines(phases) };
}
