// `npm run bench -- preview` (root, runc, iproute2 and nftables needed): the preview proxy against
// the same request made directly, both from inside a runner-host network namespace this bench
// makes (test/network/network-world.ts) and removes, with a third column: a bare node:http proxy
// with no logic (bare-proxy.mjs), so that "direct → bare" is the cost of any user-space HTTP hop
// and "bare → ours" is our own per-request work. BENCH_PREVIEW_ROUNDS (3) rounds of:
//   A. latency: GET / of a small page in a sandbox, sequential keep-alive requests, direct to the
//      sandbox's bridge address vs the bare proxy vs ours (token header), interleaved; p50/p99;
//   B. throughput: a 256 MiB body, direct vs bare vs ours, MB/s;
// reported per round and as the median of the rounds; then
//   C. wake: from a request to a hibernated session's preview URL to its first byte (the session's
//      on-start hook serves the app again), a few runs.
// BENCH_PREVIEW_CPU_PROF=1 starts our proxy and the bare one with `node --cpu-prof` (profiles in
// bench/results/preview-profile/{ours,bare}/; open them in Chrome DevTools or speedscope).
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { promisify } from "node:util";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createNetworkWorld, INTERNET, type NetworkWorld } from "../../test/network/network-world";
import { startPreviewProxy, type PreviewProxyProcess } from "../../test/network/preview-proxy-process";
import { createJsonClient } from "../lib/json-client";
import { knob } from "../lib/knob";
import type { Cleanup } from "../lib/lifecycle";
import { runInfo, writeResult } from "../lib/results";
import { startBenchRunner, type BenchRunner } from "../lib/runner";
import { ratio, round, summarize } from "../lib/stats";

type Log = (msg: string) => void;
const execFileAsync = promisify(execFile);
export type PreviewTarget = { serverUrl: string; databaseUrl: string; apiKey: string; runnerSecret: string };

const REQUESTS = 2000;
const WARMUP = 200;
const BODY_BYTES = 256 * 1024 * 1024;
const THROUGHPUT_RUNS = 3;
const WAKE_RUNS = 3;
const ROUNDS = knob("BENCH_PREVIEW_ROUNDS", 3, 1, 10, { integer: true });
const PROXY_PORT = 4101;
const BARE_PROXY_PORT = 4102;
const APP_PORT = 8000;

type Column = "direct" | "bare" | "proxied";
const COLUMNS: Column[] = ["direct", "bare", "proxied"];
/** A rounded figure, NaN (not null) when it cannot be had, so that the arithmetic below stays numeric. */
const r3 = (x: number, digits = 3) => round(x, digits) ?? NaN;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** The bare proxy (bare-proxy.mjs) in the runner-host namespace, forwarding to address:port. */
async function startBareProxy(world: NetworkWorld, address: string, port: number, nodeArgs: string[]): Promise<{ stop: () => Promise<void>; output: () => string }> {
  const child: ChildProcess = spawn("ip", ["netns", "exec", world.host, process.execPath, ...nodeArgs, "bench/preview/bare-proxy.mjs", String(BARE_PROXY_PORT), address, String(port)], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout?.on("data", (d) => (output += d));
  child.stderr?.on("data", (d) => (output += d));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  for (let i = 0; i < 100 && !output.includes("ready") && child.exitCode === null; i++) await new Promise((r) => setTimeout(r, 100));
  if (!output.includes("ready")) {
    child.kill("SIGKILL");
    throw new Error(`bare proxy did not start:\n${output}`);
  }
  return {
    output: () => output,
    stop: async () => {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}

/** Asynchronously: the proxy's database connection runs through this process (its unix-socket relay). */
async function runClient(world: NetworkWorld, args: Record<string, unknown>): Promise<unknown> {
  const { stdout } = await execFileAsync("ip", ["netns", "exec", world.host, process.execPath, "--import", "tsx", "bench/preview/client.ts", JSON.stringify(args)], { encoding: "utf8", timeout: 300_000 });
  return JSON.parse(stdout.trim().split("\n").pop()!);
}

export async function benchPreview(target: PreviewTarget, log: Log, cleanup: Cleanup) {
  const info = runInfo();
  const api = createJsonClient({ baseUrl: target.serverUrl, apiKey: target.apiKey, maxSockets: 4, timeoutMs: 120_000 });
  const runId = Math.random().toString(36).slice(2, 8);
  const runnerDir = mkdtempSync(path.join(os.tmpdir(), "burrow-bench-preview-"));
  let world: NetworkWorld | null = null;
  let runner: BenchRunner | null = null;
  let proxy: PreviewProxyProcess | null = null;
  let bare: { stop: () => Promise<void>; output: () => string } | null = null;
  let sessionId: string | null = null;
  const stopAll = async () => {
    if (sessionId) await api.request("DELETE", `/api/v1/sessions/${sessionId}`).catch(() => {});
    for (let i = 0; i < 100 && sessionId; i++) {
      const s = await api.ok<{ state: string }>("GET", `/api/v1/sessions/${sessionId}`).catch(() => ({ state: "terminated" }));
      if (s.state === "terminated") break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await proxy?.stop();
    await bare?.stop();
    if (process.env.BENCH_PREVIEW_NODE_ARGS) {
      if (proxy) writeFileSync("bench/results/preview-ours.log", proxy.output());
      if (bare) writeFileSync("bench/results/preview-bare.log", bare.output());
    }
    await runner?.stop();
    world?.remove();
    rmSync(runnerDir, { recursive: true, force: true });
    api.close();
  };
  cleanup.add("preview bench", stopAll);
  const failures: string[] = [];
  const loadAverageBefore = os.loadavg().map((x) => Math.round(x * 100) / 100);
  try {
    world = createNetworkWorld();
    const pool = `bench-preview-${runId}`;
    runner = await startBenchRunner({
      name: `bench-preview-${runId}`, pool, api,
      env: { DATABASE_URL: target.databaseUrl, DATA_DIR: runnerDir, RUNNER_SECRET: target.runnerSecret, SANDBOX_NET_HOST_NETNS: world.host, SANDBOX_DNS_UPSTREAM: INTERNET.dns },
    });
    const profileDir = path.resolve("bench/results/preview-profile");
    const profile = process.env.BENCH_PREVIEW_CPU_PROF === "1";
    if (profile) rmSync(profileDir, { recursive: true, force: true });
    // BENCH_PREVIEW_NODE_ARGS: more node flags for both proxies (e.g. --trace-gc; their output goes to bench/results/preview-{ours,bare}.log).
    const extraArgs = (process.env.BENCH_PREVIEW_NODE_ARGS ?? "").split(" ").filter(Boolean);
    const profileArgs = (name: string) => [...extraArgs, ...(profile ? ["--cpu-prof", `--cpu-prof-dir=${path.join(profileDir, name)}`] : [])];
    proxy = await startPreviewProxy(world.host, { port: PROXY_PORT, databaseUrl: target.databaseUrl, nodeArgs: profileArgs("ours") });
    const s = await api.ok<{ id: string }>("POST", "/api/v1/sessions", { pool, network: { egress: "deny" }, idle: { pauseAfterSeconds: null, hibernateAfterSeconds: null } });
    sessionId = s.id;
    const waitState = async (state: string) => {
      for (let i = 0; i < 600; i++) {
        if ((await api.ok<{ state: string }>("GET", `/api/v1/sessions/${s.id}`)).state === state) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`session not ${state} after 60 s`);
    };
    await waitState("running");
    const app = readFileSync(new URL("../../test/network/preview-app.mjs", import.meta.url), "utf8");
    const sh = (script: string, stdin?: string) => api.ok("POST", `/api/v1/sessions/${s.id}/exec`, { command: ["sh", "-c", script], ...(stdin ? { stdin } : {}) });
    await sh("mkdir -p /workspace/.burrow && cat > /workspace/app.mjs", app);
    await sh(`printf '#!/bin/sh\\nexec node /workspace/app.mjs ${APP_PORT}\\n' > /workspace/.burrow/on-start && chmod +x /workspace/.burrow/on-start`);
    await sh(`nohup /workspace/.burrow/on-start >/dev/null 2>&1 &`);
    const { token } = await api.ok<{ token: string }>("POST", `/api/v1/sessions/${s.id}/preview-tokens`, { expiresInSeconds: 3600 });
    let listening = false;
    for (let i = 0; i < 100 && !listening; i++) {
      const ports = await api.ok<{ data: { port: number; reachable: boolean }[] }>("GET", `/api/v1/sessions/${s.id}/ports`);
      listening = ports.data.some((p) => p.port === APP_PORT && p.reachable);
      if (!listening) await new Promise((r) => setTimeout(r, 100));
    }
    if (!listening) throw new Error(`the app in the sandbox does not listen on ${APP_PORT}`);
    const address = sandboxAddressOf(path.join(runnerDir, "sandboxes"), s.id);
    bare = await startBareProxy(world, address, APP_PORT, profileArgs("bare"));
    const base = { address, port: APP_PORT, proxyPort: PROXY_PORT, bareProxyPort: BARE_PROXY_PORT, host: proxy.hostOf(APP_PORT, s.id), token };

    const rounds: { latencyMs: Record<Column, { p50: number; p99: number }>; throughputMBps: Record<Column, number> }[] = [];
    for (let round_ = 0; round_ < ROUNDS; round_++) {
      log(`preview round ${round_ + 1}/${ROUNDS}: ${REQUESTS} requests to each of direct ${address}:${APP_PORT}, the bare proxy and ours (after ${WARMUP} warm-up), interleaved`);
      const lat = await runClient(world, { ...base, mode: "latency", requests: REQUESTS, warmup: WARMUP }) as Record<Column, number[]> & { failures: number };
      if (lat.failures) failures.push(`round ${round_ + 1}: ${lat.failures} latency requests did not answer 200`);
      log(`preview round ${round_ + 1}/${ROUNDS}: ${THROUGHPUT_RUNS} × ${BODY_BYTES / 2 ** 20} MiB from each`);
      const tp = await runClient(world, { ...base, mode: "throughput", bytes: BODY_BYTES, runs: THROUGHPUT_RUNS }) as Record<Column, number[]>;
      const latencyMs = {} as Record<Column, { p50: number; p99: number }>;
      const throughputMBps = {} as Record<Column, number>;
      for (const c of COLUMNS) {
        const sum = summarize(lat[c]);
        latencyMs[c] = { p50: r3(sum.p50), p99: r3(sum.p99) };
        throughputMBps[c] = r3(median(tp[c]), 1);
      }
      rounds.push({ latencyMs, throughputMBps });
    }
    /** The median over the rounds of one figure. */
    const mid = (f: (r: (typeof rounds)[number]) => number, digits = 3) => r3(median(rounds.map(f)), digits);
    const latencyMs = Object.fromEntries(COLUMNS.map((c) => [c, { p50: mid((r) => r.latencyMs[c].p50), p99: mid((r) => r.latencyMs[c].p99) }])) as Record<Column, { p50: number; p99: number }>;
    const throughputMBps = Object.fromEntries(COLUMNS.map((c) => [c, mid((r) => r.throughputMBps[c], 1)])) as Record<Column, number>;
    const per = (a: Column, b: Column, p: "p50" | "p99") => mid((r) => ratio(r.latencyMs[a][p], r.latencyMs[b][p]) ?? NaN, 2);
    const ratios = {
      p50: per("proxied", "direct", "p50"), p99: per("proxied", "direct", "p99"),
      bareP50: per("bare", "direct", "p50"), bareP99: per("bare", "direct", "p99"),
      proxiedVsBareP50: per("proxied", "bare", "p50"), proxiedVsBareP99: per("proxied", "bare", "p99"),
      throughput: mid((r) => r.throughputMBps.proxied / r.throughputMBps.direct, 2), bareThroughput: mid((r) => r.throughputMBps.bare / r.throughputMBps.direct, 2),
    };

    const wakes: { firstByteMs: number; status: number }[] = [];
    for (let i = 0; i < WAKE_RUNS; i++) {
      await api.ok("POST", `/api/v1/sessions/${s.id}/hibernate`);
      await waitState("hibernated");
      log(`preview: wake run ${i + 1}: request to the hibernated session's preview URL`);
      const w = await runClient(world, { ...base, mode: "first-byte" }) as { firstByteMs: number; status: number };
      if (w.status !== 200) failures.push(`wake run ${i + 1} answered ${w.status}`);
      wakes.push(w);
    }
    const wakeSummary = summarize(wakes.map((w) => w.firstByteMs));

    const result = {
      name: "preview", ...info,
      parameters: {
        requests: REQUESTS, warmup: WARMUP, bodyBytes: BODY_BYTES, throughputRuns: THROUGHPUT_RUNS, rounds: ROUNDS, wakeRuns: WAKE_RUNS,
        client: "node:http, one keep-alive socket per column, sequential, interleaved direct/bare/proxied in a rotating order, inside the runner-host namespace",
        app: "node:http server in a runc sandbox with a network (test/network/preview-app.mjs)",
        bare: "bench/preview/bare-proxy.mjs: node:http forward-only proxy, kept-alive agent, no logic",
        figures: "median over the rounds of each round's p50/p99 (2,000 requests) and median MB/s; ratios are medians of the per-round ratios",
      },
      latencyMs, throughputMBps, ratios, rounds,
      wakeFirstByteMs: { p50: r3(wakeSummary.p50, 0), max: r3(wakeSummary.max, 0), runs: wakes.map((w) => Math.round(w.firstByteMs)) },
      goal: "proxied p50 and p99 ≤ 1.3× direct",
      warnings: [] as string[],
      failures,
      valid: failures.length === 0,
      loadAverageBefore, loadAverageAfter: os.loadavg().map((x) => Math.round(x * 100) / 100),
      profile: profile ? "bench/results/preview-profile/{ours,bare}/ (node --cpu-prof of each proxy for the whole run)" : null,
    };
    if (!(result.ratios.p50 <= 1.3)) result.warnings.push(`proxied p50 is ${result.ratios.p50}× direct (goal ≤ 1.3×); the bare proxy alone is ${result.ratios.bareP50}×`);
    const file = writeResult("preview", result);
    const lines = [
      `  latency p50 (median of ${ROUNDS} rounds): direct ${latencyMs.direct.p50} ms, bare proxy ${latencyMs.bare.p50} ms (${ratios.bareP50}×), ours ${latencyMs.proxied.p50} ms (${ratios.p50}×)`,
      `  latency p99: direct ${latencyMs.direct.p99} ms, bare proxy ${latencyMs.bare.p99} ms (${ratios.bareP99}×), ours ${latencyMs.proxied.p99} ms (${ratios.p99}×)`,
      `  throughput: direct ${throughputMBps.direct} MB/s, bare proxy ${throughputMBps.bare} MB/s (${ratios.bareThroughput}×), ours ${throughputMBps.proxied} MB/s (${ratios.throughput}×)`,
      `  hibernated → first byte through the preview URL: median ${result.wakeFirstByteMs.p50} ms (runs ${result.wakeFirstByteMs.runs.join(", ")} ms)`,
    ];
    return { result, file, lines };
  } finally {
    await stopAll();
  }
}

/** The sandbox's bridge address from the runner's network record (the runner's DATA_DIR is the bench's). */
function sandboxAddressOf(stateDir: string, sessionId: string): string {
  const dir = path.join(stateDir, ".network", "sandboxes");
  for (const name of readdirSync(dir)) {
    const rec = JSON.parse(readFileSync(path.join(dir, name), "utf8")) as { id: string; ip: string };
    if (rec.id === sessionId) return rec.ip;
  }
  throw new Error(`no network record for ${sessionId}`);
}
