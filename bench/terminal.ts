// `npm run bench -- terminal` (root and runc needed): the web terminal through the production
// server and a real runner worker, against the same kind of shell driven directly through the
// runc backend in the bench process (pty-helper.py, no HTTP, no runner), in the same run:
//   A. keystroke → echo: one printable character at a time, from sending it until bash's echo of
//      it arrives (api: POST …/input, echo read from the SSE output; backend: write → onOutput);
//   B. output throughput: `head -c N /dev/zero | tr '\0' x` then a marker, until the marker arrives;
//   C. open → first prompt.
// Reported as ratios api / backend. The session is terminated and the runner stopped at the end.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { createRuncBackend, type SandboxTerminal } from "../lib/sandbox";
import { createJsonClient, type JsonClient } from "./lib/json-client";
import type { Cleanup } from "./lib/lifecycle";
import { runInfo, writeResult } from "./lib/results";
import { startBenchRunner, type BenchRunner } from "./lib/runner";
import { openSse, type SseClient } from "./lib/sse-client";
import { ratio, round, roundSummary, summarize, type LatencySummary } from "./lib/stats";

type Log = (msg: string) => void;
export type TerminalTarget = { serverUrl: string; databaseUrl: string; apiKey: string; runnerSecret: string };

const KEYSTROKES = 200;
const THROUGHPUT_BYTES = 4_000_000;
const THROUGHPUT_RUNS = 3;
const OPENS = 5;
const WAIT_MS = 30_000;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** What a shell printed (its length, and the last few KiB), with waiters woken as output arrives. */
class OutputLog {
  /** Characters received in all. */
  length = 0;
  private tail = "";
  private waiters: { from: number; check: (text: string) => boolean; done: (at: number) => void }[] = [];

  /** What arrived after absolute position `from` (as far as the kept tail reaches). */
  private after(from: number): string {
    return this.tail.slice(Math.max(0, from - (this.length - this.tail.length)));
  }

  push(chunk: string, at: number) {
    this.length += chunk.length;
    this.tail = (this.tail + chunk).slice(-8192);
    this.waiters = this.waiters.filter((w) => {
      if (!w.check(this.after(w.from))) return true;
      w.done(at);
      return false;
    });
  }

  /** The arrival time of the output that made `check` hold on what came after `from`. */
  until(from: number, check: (text: string) => boolean, what: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`waited ${WAIT_MS} ms for ${what}; last output: ${JSON.stringify(this.tail.slice(-200))}`)), WAIT_MS);
      this.waiters.push({ from, check, done: (at) => { clearTimeout(timer); resolve(at); } });
    });
  }
}

/** A shell seen as bytes in and text out, whichever way it is reached. */
type Probe = { send: (data: string) => Promise<void>; out: OutputLog; close: () => Promise<void>; openedAt: number; promptAt: Promise<number> };

async function apiProbe(http: JsonClient, target: TerminalTarget, sessionId: string): Promise<Probe> {
  const out = new OutputLog();
  let firstOutput!: (t: number) => void;
  const promptAt = new Promise<number>((r) => (firstOutput = r));
  const openedAt = performance.now();
  const t = await http.ok<{ id: string }>("POST", `/api/v1/sessions/${sessionId}/terminals`, { cols: 120, rows: 40 });
  const base = `/api/v1/sessions/${sessionId}/terminals/${t.id}`;
  const sse: SseClient = await openSse({
    baseUrl: target.serverUrl, path: `${base}/output`, apiKey: target.apiKey, timeoutMs: WAIT_MS,
    onEvent: (_id, data, at) => {
      const e = JSON.parse(data) as { data?: string };
      if (e.data === undefined) return;
      out.push(Buffer.from(e.data, "base64").toString("latin1"), at);
      firstOutput(at);
    },
  });
  return {
    openedAt, promptAt,
    send: async (data) => void (await http.ok("POST", `${base}/input`, { data })),
    out,
    close: async () => {
      await http.ok("DELETE", base);
      sse.close();
    },
  };
}

async function backendProbe(backend: ReturnType<typeof createRuncBackend>, sessionId: string): Promise<Probe> {
  const out = new OutputLog();
  let firstOutput!: (t: number) => void;
  const promptAt = new Promise<number>((r) => (firstOutput = r));
  const openedAt = performance.now();
  const shell: SandboxTerminal = await backend.openTerminal!(sessionId, { cols: 120, rows: 40 }, {
    onOutput: (chunk) => {
      const at = performance.now();
      out.push(chunk.toString("latin1"), at);
      firstOutput(at);
    },
    onExit: () => {},
  });
  return { openedAt, promptAt, send: async (data) => shell.write(Buffer.from(data)), out, close: () => shell.close() };
}

/** Keystrokes, alternating tiers in rounds of 20; the line is cleared (Ctrl-U) between rounds. */
async function keystrokes(tiers: [Probe, number[], number[]][], log: Log) {
  for (let round = 0; tiers.some(([, into]) => into.length < KEYSTROKES); round++) {
    for (const [probe, into, sendMs] of tiers) {
      for (let i = 0; i < 20 && into.length < KEYSTROKES; i++) {
        const ch = String.fromCharCode(97 + ((round + i) % 26));
        const from = probe.out.length;
        const t0 = performance.now();
        const echoed = probe.out.until(from, (tail) => tail.includes(ch), `the echo of ${ch}`);
        await probe.send(ch);
        sendMs.push(performance.now() - t0);
        into.push((await echoed) - t0);
      }
      await probe.send("\x15");
      await sleep(50);
    }
  }
  log(`A: ${KEYSTROKES} keystrokes per tier`);
}

async function throughput(probe: Probe, n: number): Promise<number> {
  const marker = `done-${n}-`;
  const from = probe.out.length;
  const t0 = performance.now();
  const done = probe.out.until(from, (text) => text.includes(`${marker}42`), "the throughput marker");
  await probe.send(`head -c ${THROUGHPUT_BYTES} /dev/zero | tr '\\0' x; echo; echo ${marker}$((40+2))\n`);
  const t1 = await done;
  return THROUGHPUT_BYTES / ((t1 - t0) / 1000) / 1e6;
}

const pair = (a: LatencySummary, b: LatencySummary) => ({ p50: round(ratio(a.p50, b.p50) ?? NaN), p99: round(ratio(a.p99, b.p99) ?? NaN) });

export async function benchTerminal(target: TerminalTarget, log: Log, cleanup: Cleanup) {
  const runId = randomBytes(3).toString("hex");
  const runnerDir = mkdtempSync(path.join(os.tmpdir(), "burrow-bench-terminal-"));
  const http = createJsonClient({ baseUrl: target.serverUrl, apiKey: target.apiKey, maxSockets: 4, timeoutMs: 60_000 });
  const failures: string[] = [];
  const info = runInfo();
  let runner: BenchRunner | null = null;
  let sessionId: string | null = null;
  const stopAll = async () => {
    if (sessionId) await http.ok("DELETE", `/api/v1/sessions/${sessionId}`).catch(() => {});
    for (let i = 0; sessionId && i < 100; i++) {
      const s = await http.ok<{ state: string }>("GET", `/api/v1/sessions/${sessionId}`).catch(() => ({ state: "terminated" }));
      if (s.state === "terminated") break;
      await sleep(100);
    }
    await runner?.stop();
    http.close();
    rmSync(runnerDir, { recursive: true, force: true });
  };
  cleanup.add("terminal bench", stopAll);
  const keyApi: number[] = [];
  const keyBackend: number[] = [];
  const inputApi: number[] = [];
  const tputApi: number[] = [];
  const tputBackend: number[] = [];
  const openApi: number[] = [];
  const openBackend: number[] = [];
  try {
    const pool = `bench-terminal-${runId}`;
    runner = await startBenchRunner({
      name: `bench-terminal-${runId}`, pool, api: http,
      env: { DATABASE_URL: target.databaseUrl, DATA_DIR: runnerDir, RUNNER_SECRET: target.runnerSecret },
    });
    const s = await http.ok<{ id: string }>("POST", "/api/v1/sessions", { pool, idle: { pauseAfterSeconds: null, hibernateAfterSeconds: null } });
    sessionId = s.id;
    const backend = createRuncBackend({ stateDir: path.join(runnerDir, "sandboxes") });
    log("C: open → first prompt, alternating tiers");
    let api: Probe | null = null;
    let be: Probe | null = null;
    for (let i = 0; i < OPENS; i++) {
      // The first open through the API also waits for the session to start: not counted.
      const a = await apiProbe(http, target, s.id);
      if (i > 0) openApi.push((await a.promptAt) - a.openedAt);
      const b = await backendProbe(backend, s.id);
      openBackend.push((await b.promptAt) - b.openedAt);
      if (i < OPENS - 1) {
        await a.close();
        await b.close();
      } else [api, be] = [a, b];
    }
    await sleep(300); // let both prompts settle
    await keystrokes([[api!, keyApi, inputApi], [be!, keyBackend, []]], log);
    for (let i = 0; i < THROUGHPUT_RUNS; i++) {
      tputApi.push(await throughput(api!, i));
      tputBackend.push(await throughput(be!, i));
    }
    log(`B: ${THROUGHPUT_RUNS} × ${THROUGHPUT_BYTES / 1e6} MB per tier`);
    await api!.close();
    await be!.close();
  } catch (err) {
    failures.push(err instanceof Error ? err.message : String(err));
  } finally {
    await stopAll();
  }
  const ka = summarize(keyApi);
  const kb = summarize(keyBackend);
  const oa = summarize(openApi);
  const ob = summarize(openBackend);
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
  const result = {
    name: "terminal",
    ...info,
    what: {
      api: "POST /api/v1/sessions/{id}/terminals/{tid}/input + GET …/output (SSE) on the production server → runner internal HTTP → pty-helper.py → runc exec --tty → bash",
      backend: "backend.openTerminal in the bench process on the runner's state dir: pty-helper.py → runc exec --tty → bash, no HTTP",
    },
    parameters: { keystrokes: KEYSTROKES, throughputBytes: THROUGHPUT_BYTES, throughputRuns: THROUGHPUT_RUNS, opens: OPENS, terminalSize: "120x40" },
    keystrokeEchoMs: { api: roundSummary(ka, 2), backend: roundSummary(kb, 2), ratioApiOverBackend: pair(ka, kb) },
    /** Of the api figure: the POST …/input request alone (auth, session and runner lookup, runner call). */
    inputRequestMs: roundSummary(summarize(inputApi), 2),
    throughputMBps: { api: tputApi.map((x) => round(x, 2)), backend: tputBackend.map((x) => round(x, 2)), ratioApiOverBackendMedian: round(ratio(median(tputApi), median(tputBackend)) ?? NaN) },
    openToPromptMs: { api: roundSummary(oa, 1), backend: roundSummary(ob, 1), ratioApiOverBackend: pair(oa, ob) },
    failures,
    valid: failures.length === 0,
  };
  const file = writeResult("terminal", result);
  const lines = [
    `  keystroke → echo p50/p99: api ${ka.p50.toFixed(2)}/${ka.p99.toFixed(2)} ms, backend ${kb.p50.toFixed(2)}/${kb.p99.toFixed(2)} ms (api/backend ${result.keystrokeEchoMs.ratioApiOverBackend.p50} / ${result.keystrokeEchoMs.ratioApiOverBackend.p99})`,
    `  of which the input POST alone p50: ${summarize(inputApi).p50.toFixed(2)} ms`,
    `  output throughput (median of ${THROUGHPUT_RUNS}): api ${median(tputApi).toFixed(1)} MB/s, backend ${median(tputBackend).toFixed(1)} MB/s (api/backend ${result.throughputMBps.ratioApiOverBackendMedian})`,
    `  open → first prompt p50: api ${oa.p50.toFixed(0)} ms, backend ${ob.p50.toFixed(0)} ms (api/backend ${result.openToPromptMs.ratioApiOverBackend.p50})`,
  ];
  return { result, file, lines };
}
