// Knobs of the logs-live benchmark (environment BENCH_LOGS_*, clamped so a run stays bounded).
import { knob } from "../lib/knob";
export type LogsLiveParams = {
  /** Sessions the lines are spread over (latency phases, idle clients). */
  sessions: number;
  /** Lines per second per session: sessions × this is the total rate (the issue: 1,000 lines/s). */
  linesPerSecPerSession: number;
  /** Direct writes: one appendSessionLogs per session every this many ms (the runner's batcher flushes every 50 ms). */
  flushEveryMs: number;
  latencyDurationMs: number;
  /** Sandbox phase: how long each session's shell prints. */
  sandboxDurationMs: number;
  /** Idle-ish SSE clients on one web process (spread over the sessions). */
  clients: number;
  /** Subscribers of one session for the fan-out phase. */
  fanoutSubscribers: number;
  /** Single lines fanned out, one at a time. */
  fanoutLines: number;
  connectConcurrency: number;
  /**
   * Bytes of log written to a session whose one client reads nothing: must beat the kernel's socket
   * buffers first (here tcp_rmem max 32 MiB + tcp_wmem max 4 MiB on loopback).
   */
  slowClientBytes: number;
};


export function logsLiveParams(): LogsLiveParams {
  return {
    sessions: Math.round(knob("BENCH_LOGS_SESSIONS", 10, 1, 18)),
    linesPerSecPerSession: Math.round(knob("BENCH_LOGS_LINES_PER_SEC", 100, 1, 1000)),
    flushEveryMs: Math.round(knob("BENCH_LOGS_FLUSH_MS", 50, 5, 1000)),
    latencyDurationMs: knob("BENCH_LOGS_DURATION_S", 10, 2, 60) * 1000,
    sandboxDurationMs: knob("BENCH_LOGS_SANDBOX_S", 10, 2, 60) * 1000,
    clients: Math.round(knob("BENCH_LOGS_CLIENTS", 1000, 10, 5000)),
    fanoutSubscribers: Math.round(knob("BENCH_LOGS_FANOUT", 1000, 10, 5000)),
    fanoutLines: Math.round(knob("BENCH_LOGS_FANOUT_LINES", 20, 3, 200)),
    connectConcurrency: Math.round(knob("BENCH_LOGS_CONNECT_CONCURRENCY", 32, 1, 200)),
    slowClientBytes: knob("BENCH_LOGS_SLOW_MIB", 64, 4, 256) * 1024 * 1024,
  };
}

export type Log = (msg: string) => void;
