// Benchmark: authenticated `GET /api/v1/me` on the production server against two baselines
// measured in the same run: a raw-`pg` pool doing the same API-key lookup, and bare Next.js (the
// same server answering `GET /api/health/live`, a route that only returns JSON).
//   1. closed loop, `concurrency` keep-alive connections → the app's maximum throughput, then the
//      same for bare Next;
//   2. open loop at half the app's rate → the app's latency (from each request's due time), then
//      bare Next at that rate;
//   3. the same two for the raw-`pg` baseline: pg.Pool of the same size, its open loop at the
//      *app's* half rate, so all latencies are taken at the same offered load.
// Figures are reported as app / baseline and app / bare-Next ratios.
import { readFileSync } from "node:fs";
import { runClosedLoop, type ClosedLoopResult } from "./lib/closed-loop";
import { createHttpClient } from "./lib/http-client";
import { createKeyLookup, KEY_LOOKUP_SQL } from "./lib/key-lookup";
import { runOpenLoop, type OpenLoopResult } from "./lib/open-loop";
import { ratio, round, roundSummary } from "./lib/stats";

export type ApiMeParams = {
  concurrency: number;
  warmupMs: number;
  durationMs: number;
  openLoopDurationMs: number;
  /** Open-loop rate as a fraction of the app's closed-loop throughput. */
  openLoopLoadFraction: number;
  requestTimeoutMs: number;
};

export type ApiMeTarget = { serverUrl: string; serverPid?: number; databaseUrl: string; apiKey: string; tenant: string };

/** CPU time (user + system) of a process so far, in ms, from /proc (Linux); null elsewhere. */
function cpuMsOf(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return null;
  }
}
const CLOCK_TICKS = 100;

/** The server's CPU time per request over a closed loop (warm-up included: every request it served). */
async function withServerCpu(pid: number | undefined, op: () => Promise<void>, run: (op: () => Promise<void>) => Promise<ClosedLoopResult>) {
  let requests = 0;
  const counted = async () => {
    requests += 1;
    await op();
  };
  const before = cpuMsOf(pid);
  const result = await run(counted);
  const after = cpuMsOf(pid);
  const cpuMsPerRequest = before === null || after === null || requests === 0 ? null : round((after - before) / requests, 3);
  return { result, cpuMsPerRequest };
}

const PATH = "/api/v1/me";
/** No auth, no database: what any route costs on this server (app/api/health/live/route.ts). */
const BARE_PATH = "/api/health/live";
const settle = () => new Promise((r) => setTimeout(r, 500));
const checkAborted = (signal?: AbortSignal) => {
  if (signal?.aborted) throw new Error("interrupted");
};

export async function benchApiMe(target: ApiMeTarget, params: ApiMeParams, log: (msg: string) => void, signal?: AbortSignal) {
  const failures: string[] = [];
  const warnings: string[] = [];
  const http = createHttpClient({ baseUrl: target.serverUrl, maxSockets: params.concurrency, timeoutMs: params.requestTimeoutMs });
  const baseline = createKeyLookup(target.databaseUrl, params.concurrency);
  try {
    const headers = { authorization: `Bearer ${target.apiKey}`, accept: "application/json" };

    // Check once that the request does what we think before timing it.
    const probe = await http.request(PATH, headers);
    if (probe.status !== 200) throw new Error(`GET ${PATH} answered ${probe.status}: ${probe.body.slice(0, 500)}`);
    const me = JSON.parse(probe.body) as { tenant?: { slug?: string } };
    if (me.tenant?.slug !== target.tenant) throw new Error(`GET ${PATH} returned tenant ${me.tenant?.slug}, expected ${target.tenant}`);
    const rateLimit = probe.headers["x-ratelimit-limit"];
    if (Number(rateLimit) < 1_000_000) warnings.push(`server rate limit is ${rateLimit}/min; results may include 429s`);
    if ((await baseline.lookup(target.apiKey)) !== target.tenant) throw new Error("baseline lookup found the wrong tenant");

    const appOp = async () => {
      const status = await http.status(PATH, headers);
      if (status !== 200) throw new Error(`HTTP ${status}`);
    };
    const bareProbe = await http.request(BARE_PATH, { accept: "application/json" });
    // A build from before the route existed (comparing against an older build) has no floor to measure.
    const hasBare = bareProbe.status !== 404;
    if (!hasBare) warnings.push(`GET ${BARE_PATH} is not in this build: no bare-Next figures`);
    else if (bareProbe.status !== 200) throw new Error(`GET ${BARE_PATH} answered ${bareProbe.status}: ${bareProbe.body.slice(0, 200)}`);
    const bareOp = async () => {
      const status = await http.status(BARE_PATH, { accept: "application/json" });
      if (status !== 200) throw new Error(`HTTP ${status}`);
    };
    const baseOp = async () => {
      await baseline.lookup(target.apiKey);
    };

    log(`app: closed loop, ${params.concurrency} connections, ${params.warmupMs} ms warm-up + ${params.durationMs} ms`);
    const appRun = await withServerCpu(target.serverPid, appOp, (op) => runClosedLoop({ concurrency: params.concurrency, warmupMs: params.warmupMs, durationMs: params.durationMs, op, signal }));
    const appClosed = appRun.result;
    log(`app: ${appClosed.throughput.toFixed(0)} req/s, ${appClosed.errors} errors, server CPU ${appRun.cpuMsPerRequest} ms/request`);
    checkAborted(signal);
    let bareClosed: ClosedLoopResult | null = null;
    let bareCpuMsPerRequest: number | null = null;
    if (hasBare) {
      await settle();
      log(`bare Next (${BARE_PATH}): closed loop, ${params.concurrency} connections`);
      const bareRun = await withServerCpu(target.serverPid, bareOp, (op) => runClosedLoop({ concurrency: params.concurrency, warmupMs: params.warmupMs, durationMs: params.durationMs, op, signal }));
      bareClosed = bareRun.result;
      bareCpuMsPerRequest = bareRun.cpuMsPerRequest;
      log(`bare Next: ${bareClosed.throughput.toFixed(0)} req/s, ${bareClosed.errors} errors, server CPU ${bareCpuMsPerRequest} ms/request`);
      checkAborted(signal);
    }
    const openRate = Math.max(1, Math.round(appClosed.throughput * params.openLoopLoadFraction));

    await settle();
    log(`app: open loop at ${openRate} req/s for ${params.openLoopDurationMs} ms`);
    const appOpen = await runOpenLoop({ ratePerSec: openRate, durationMs: params.openLoopDurationMs, op: appOp, drainTimeoutMs: params.requestTimeoutMs + 2000, signal });
    log(`app: p50 ${appOpen.latencyMs.p50.toFixed(2)} ms, p99 ${appOpen.latencyMs.p99.toFixed(2)} ms`);
    let bareOpen: OpenLoopResult | null = null;
    if (hasBare) {
      await settle();
      checkAborted(signal);
      log(`bare Next: open loop at ${openRate} req/s (the app's rate) for ${params.openLoopDurationMs} ms`);
      bareOpen = await runOpenLoop({ ratePerSec: openRate, durationMs: params.openLoopDurationMs, op: bareOp, drainTimeoutMs: params.requestTimeoutMs + 2000, signal });
      log(`bare Next: p50 ${bareOpen.latencyMs.p50.toFixed(2)} ms, p99 ${bareOpen.latencyMs.p99.toFixed(2)} ms`);
    }

    await settle();
    checkAborted(signal);
    await baseline.warm();
    log(`baseline: closed loop, pool of ${params.concurrency}, ${params.warmupMs} ms warm-up + ${params.durationMs} ms`);
    const baseClosed = await runClosedLoop({ concurrency: params.concurrency, warmupMs: params.warmupMs, durationMs: params.durationMs, op: baseOp, signal });
    log(`baseline: ${baseClosed.throughput.toFixed(0)} lookups/s, ${baseClosed.errors} errors`);

    await settle();
    checkAborted(signal);
    log(`baseline: open loop at ${openRate} lookups/s (the app's rate) for ${params.openLoopDurationMs} ms`);
    const baseOpen = await runOpenLoop({ ratePerSec: openRate, durationMs: params.openLoopDurationMs, op: baseOp, drainTimeoutMs: params.requestTimeoutMs + 2000, signal });
    log(`baseline: p50 ${baseOpen.latencyMs.p50.toFixed(2)} ms, p99 ${baseOpen.latencyMs.p99.toFixed(2)} ms`);

    checkAborted(signal);
    for (const [name, r] of [["app closed loop", appClosed], ["bare Next closed loop", bareClosed], ["baseline closed loop", baseClosed]] as const) {
      if (!r) continue;
      if (r.errors > 0) failures.push(`${name}: ${r.errors} errors (${r.errorSamples.join("; ")})`);
    }
    for (const [name, r] of [["app open loop", appOpen], ["bare Next open loop", bareOpen], ["baseline open loop", baseOpen]] as const) {
      if (!r) continue;
      const failed = r.errors + r.dropped + r.unfinished;
      if (failed > 0) failures.push(`${name}: ${r.errors} errors, ${r.dropped} dropped, ${r.unfinished} unfinished (${r.errorSamples.join("; ")})`);
      else if (r.achievedRate < r.targetRate * 0.95) warnings.push(`${name}: achieved ${r.achievedRate.toFixed(0)}/s of ${r.targetRate}/s`);
    }

    const ratios = {
      throughput: round(ratio(appClosed.throughput, baseClosed.throughput) ?? NaN, 4),
      p50: round(ratio(appOpen.latencyMs.p50, baseOpen.latencyMs.p50) ?? NaN, 3),
      p90: round(ratio(appOpen.latencyMs.p90, baseOpen.latencyMs.p90) ?? NaN, 3),
      p99: round(ratio(appOpen.latencyMs.p99, baseOpen.latencyMs.p99) ?? NaN, 3),
      max: round(ratio(appOpen.latencyMs.max, baseOpen.latencyMs.max) ?? NaN, 3),
      serviceTimeP50: round(ratio(appOpen.serviceTimeMs.p50, baseOpen.serviceTimeMs.p50) ?? NaN, 3),
      serviceTimeP99: round(ratio(appOpen.serviceTimeMs.p99, baseOpen.serviceTimeMs.p99) ?? NaN, 3),
    };
    const ratiosToBareNext = bareClosed && bareOpen ? {
      throughput: round(ratio(appClosed.throughput, bareClosed.throughput) ?? NaN, 4),
      p50: round(ratio(appOpen.latencyMs.p50, bareOpen.latencyMs.p50) ?? NaN, 3),
      p99: round(ratio(appOpen.latencyMs.p99, bareOpen.latencyMs.p99) ?? NaN, 3),
      serviceTimeP50: round(ratio(appOpen.serviceTimeMs.p50, bareOpen.serviceTimeMs.p50) ?? NaN, 3),
    } : null;

    return {
      request: `GET ${PATH} with Authorization: Bearer <all-scopes key>`,
      baselineDescription: "raw pg.Pool, same key: secret shape check + SHA-256 + one parameterised query, revoked/expiry checks",
      baselineSql: KEY_LOOKUP_SQL,
      openLoopRate: openRate,
      bareNextRequest: `GET ${BARE_PATH} on the same server: no auth, no database, a constant JSON body`,
      app: { closedLoop: closedReport(appClosed), openLoop: openReport(appOpen) },
      bareNext: bareClosed && bareOpen ? { closedLoop: closedReport(bareClosed), openLoop: openReport(bareOpen) } : null,
      baseline: { closedLoop: closedReport(baseClosed), openLoop: openReport(baseOpen) },
      ratios,
      ratiosToBareNext,
      serverCpuMsPerRequest: {
        app: appRun.cpuMsPerRequest,
        bareNext: bareCpuMsPerRequest,
        note: "CPU time (user + system, all threads) of the server process over each closed loop ÷ requests it served; less sensitive to other load on the machine than req/s",
      },
      ratiosNote: "app / baseline (raw pg) and app / bare Next; throughput from the closed loops, latencies from the open loops at the same offered load",
      valid: failures.length === 0,
      failures,
      warnings,
    };
  } finally {
    http.close();
    await baseline.close().catch(() => {});
  }
}

function closedReport(r: ClosedLoopResult) {
  return {
    concurrency: r.concurrency,
    measuredMs: round(r.measuredMs, 1),
    ok: r.ok,
    errors: r.errors,
    throughputPerSec: round(r.throughput, 1),
    latencyMsReferenceOnly: roundSummary(r.latencyMs),
    errorSamples: r.errorSamples,
  };
}

function openReport(r: OpenLoopResult) {
  return {
    targetRatePerSec: r.targetRate,
    durationMs: r.durationMs,
    scheduled: r.scheduled,
    sent: r.sent,
    ok: r.ok,
    errors: r.errors,
    dropped: r.dropped,
    unfinished: r.unfinished,
    achievedRatePerSec: round(r.achievedRate, 1),
    latencyMs: roundSummary(r.latencyMs),
    serviceTimeMs: roundSummary(r.serviceTimeMs),
    schedulerLagMs: roundSummary(r.schedulerLagMs),
    errorSamples: r.errorSamples,
  };
}

export function summaryLines(result: Awaited<ReturnType<typeof benchApiMe>>): string[] {
  const a = result.app;
  const none = { throughputPerSec: null, latencyMs: { p50: null, p90: null, p99: null, max: null }, serviceTimeMs: { p50: null, p99: null }, schedulerLagMs: { p99: null } };
  const n = result.bareNext ?? { closedLoop: none, openLoop: none };
  const b = result.baseline;
  const f = (x: number | null, d = 2) => (x === null ? "n/a" : x.toFixed(d));
  const r2 = (x: number | null, y: number | null) => (x === null || y === null || y === 0 ? null : x / y);
  const row = (label: string, app: number | null, bare: number | null, base: number | null, d = 2) =>
    `  ${label.padEnd(26)}${f(app, d).padStart(10)}${f(bare, d).padStart(11)}${f(base, d).padStart(10)}${f(r2(app, bare), 3).padStart(10)}${f(r2(app, base), 3).padStart(10)}`;
  return [
    `  ${"".padEnd(26)}${"app".padStart(10)}${"bare Next".padStart(11)}${"raw pg".padStart(10)}${"app/Next".padStart(10)}${"app/pg".padStart(10)}`,
    row(`throughput (req/s, c=${a.closedLoop.concurrency})`, a.closedLoop.throughputPerSec, n.closedLoop.throughputPerSec, b.closedLoop.throughputPerSec, 0),
    `  open loop at ${result.openLoopRate} req/s, latency from due time (ms):`,
    row("p50", a.openLoop.latencyMs.p50, n.openLoop.latencyMs.p50, b.openLoop.latencyMs.p50),
    row("p90", a.openLoop.latencyMs.p90, n.openLoop.latencyMs.p90, b.openLoop.latencyMs.p90),
    row("p99", a.openLoop.latencyMs.p99, n.openLoop.latencyMs.p99, b.openLoop.latencyMs.p99),
    row("max", a.openLoop.latencyMs.max, n.openLoop.latencyMs.max, b.openLoop.latencyMs.max),
    row("service time p50", a.openLoop.serviceTimeMs.p50, n.openLoop.serviceTimeMs.p50, b.openLoop.serviceTimeMs.p50),
    row("service time p99", a.openLoop.serviceTimeMs.p99, n.openLoop.serviceTimeMs.p99, b.openLoop.serviceTimeMs.p99),
    row("scheduler lag p99", a.openLoop.schedulerLagMs.p99, n.openLoop.schedulerLagMs.p99, b.openLoop.schedulerLagMs.p99),
    row("server CPU ms/request", result.serverCpuMsPerRequest.app, result.serverCpuMsPerRequest.bareNext, null, 3),
  ];
}
