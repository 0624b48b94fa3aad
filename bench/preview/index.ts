// `npm run bench -- preview` (root, runc, iproute2 and nftables needed): the preview proxy against
// the same request made directly, both from inside a runner-host network namespace this bench
// makes (test/network/network-world.ts) and removes:
//   A. latency: GET / of a small page in a sandbox, sequential keep-alive requests, direct to the
//      sandbox's bridge address vs through the proxy (token header), interleaved; p50/p99 ratio;
//   B. throughput: a 256 MB body, direct vs proxied, MB/s;
//   C. wake: from a request to a hibernated session's preview URL to its first byte (the session's
//      on-start hook serves the app again), a few runs.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createNetworkWorld, INTERNET, type NetworkWorld } from "../../test/network/network-world";
import { startPreviewProxy, type PreviewProxyProcess } from "../../test/network/preview-proxy-process";
import { createJsonClient } from "../lib/json-client";
import type { Cleanup } from "../lib/lifecycle";
import { runInfo, writeResult } from "../lib/results";
import { startBenchRunner, type BenchRunner } from "../lib/runner";
import { ratio, round, roundSummary, summarize } from "../lib/stats";

type Log = (msg: string) => void;
const execFileAsync = promisify(execFile);
export type PreviewTarget = { serverUrl: string; databaseUrl: string; apiKey: string; runnerSecret: string };

const REQUESTS = 2000;
const WARMUP = 200;
const BODY_BYTES = 256 * 1024 * 1024;
const THROUGHPUT_RUNS = 3;
const WAKE_RUNS = 3;
const PROXY_PORT = 4101;
const APP_PORT = 8000;

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
  let sessionId: string | null = null;
  const stopAll = async () => {
    if (sessionId) await api.request("DELETE", `/api/v1/sessions/${sessionId}`).catch(() => {});
    for (let i = 0; i < 100 && sessionId; i++) {
      const s = await api.ok<{ state: string }>("GET", `/api/v1/sessions/${sessionId}`).catch(() => ({ state: "terminated" }));
      if (s.state === "terminated") break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await proxy?.stop();
    await runner?.stop();
    world?.remove();
    rmSync(runnerDir, { recursive: true, force: true });
    api.close();
  };
  cleanup.add("preview bench", stopAll);
  const failures: string[] = [];
  try {
    world = createNetworkWorld();
    const pool = `bench-preview-${runId}`;
    runner = await startBenchRunner({
      name: `bench-preview-${runId}`, pool, api,
      env: { DATABASE_URL: target.databaseUrl, DATA_DIR: runnerDir, RUNNER_SECRET: target.runnerSecret, SANDBOX_NET_HOST_NETNS: world.host, SANDBOX_DNS_UPSTREAM: INTERNET.dns },
    });
    proxy = await startPreviewProxy(world.host, { port: PROXY_PORT, databaseUrl: target.databaseUrl });
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
    const base = { address, port: APP_PORT, proxyPort: PROXY_PORT, host: proxy.hostOf(APP_PORT, s.id), token };

    log(`preview: ${REQUESTS} requests each way (after ${WARMUP} warm-up), direct ${address}:${APP_PORT} vs the proxy`);
    const lat = await runClient(world, { ...base, mode: "latency", requests: REQUESTS, warmup: WARMUP }) as { direct: number[]; proxied: number[]; failures: number };
    if (lat.failures) failures.push(`${lat.failures} latency requests did not answer 200`);
    const direct = summarize(lat.direct);
    const proxied = summarize(lat.proxied);

    log(`preview: ${THROUGHPUT_RUNS} × ${BODY_BYTES / 2 ** 20} MiB each way`);
    const tp = await runClient(world, { ...base, mode: "throughput", bytes: BODY_BYTES, runs: THROUGHPUT_RUNS }) as { directMBps: number[]; proxiedMBps: number[] };
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

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
        requests: REQUESTS, warmup: WARMUP, bodyBytes: BODY_BYTES, throughputRuns: THROUGHPUT_RUNS, wakeRuns: WAKE_RUNS,
        client: "node:http, one keep-alive socket per side, sequential, interleaved direct/proxied, inside the runner-host namespace",
        app: "node:http server in a runc sandbox with a network (test/network/preview-app.mjs)",
      },
      latencyMs: { direct: roundSummary(direct), proxied: roundSummary(proxied) },
      ratios: { p50: round(ratio(proxied.p50, direct.p50) ?? NaN), p99: round(ratio(proxied.p99, direct.p99) ?? NaN) },
      throughputMBps: { direct: round(median(tp.directMBps), 1), proxied: round(median(tp.proxiedMBps), 1), runsDirect: tp.directMBps.map((x) => round(x, 1)), runsProxied: tp.proxiedMBps.map((x) => round(x, 1)) },
      wakeFirstByteMs: { ...roundSummary(wakeSummary, 0), runs: wakes.map((w) => Math.round(w.firstByteMs)) },
      goal: "proxied p50 and p99 ≤ 1.3× direct",
      warnings: [] as string[],
      failures,
      valid: failures.length === 0,
      loadAverageAfter: os.loadavg().map((x) => Math.round(x * 100) / 100),
    };
    if ((result.ratios.p50 ?? 99) > 1.3) result.warnings.push(`proxied p50 is ${result.ratios.p50}× direct (goal ≤ 1.3×)`);
    const file = writeResult("preview", result);
    const lines = [
      `  latency p50: direct ${round(direct.p50)} ms, proxied ${round(proxied.p50)} ms (${result.ratios.p50}×); p99: ${round(direct.p99)} vs ${round(proxied.p99)} ms (${result.ratios.p99}×)`,
      `  throughput: direct ${result.throughputMBps.direct} MB/s, proxied ${result.throughputMBps.proxied} MB/s (${round(ratio(result.throughputMBps.proxied ?? NaN, result.throughputMBps.direct ?? NaN) ?? NaN, 2)}×)`,
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
