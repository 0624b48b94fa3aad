// Open-loop load: requests are due at a fixed rate whatever the system under test does, and each
// latency is measured from when the request was due (not when it was actually sent), so a stall
// shows up in every request queued behind it instead of being hidden (no coordinated omission).
//
// Timers have millisecond granularity, so requests due within the same millisecond go out
// together; how late the sends were against the schedule is reported as `schedulerLagMs` (it is
// part of the measured latency, equally for every target measured with this scheduler).
import { performance } from "node:perf_hooks";
import type { Operation } from "./closed-loop";
import { latencyFromSchedule, openLoopPlan, summarize, type LatencySummary } from "./stats";

export type OpenLoopOptions = {
  ratePerSec: number;
  durationMs: number;
  op: Operation;
  /** Requests outstanding beyond this are not sent and count as `dropped`. */
  maxInFlight?: number;
  /** How long to wait for outstanding requests after the last one was due. */
  drainTimeoutMs?: number;
  /** Stops sending (what was not sent counts as dropped). */
  signal?: AbortSignal;
};

export type OpenLoopResult = {
  targetRate: number;
  durationMs: number;
  scheduled: number;
  sent: number;
  ok: number;
  errors: number;
  dropped: number;
  unfinished: number;
  /** Successful completions per second of schedule. */
  achievedRate: number;
  /** From when each request was due to when its response ended. */
  latencyMs: LatencySummary;
  /** From when each request was actually sent to when its response ended. */
  serviceTimeMs: LatencySummary;
  /** How late each send was against its due time. */
  schedulerLagMs: LatencySummary;
  errorSamples: string[];
};

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function runOpenLoop(opts: OpenLoopOptions): Promise<OpenLoopResult> {
  const { count, intervalMs } = openLoopPlan(opts.ratePerSec, opts.durationMs);
  const maxInFlight = opts.maxInFlight ?? 10_000;
  const drainTimeoutMs = opts.drainTimeoutMs ?? 15_000;
  const latencies = new Float64Array(count);
  const service = new Float64Array(count);
  const lag = new Float64Array(count);
  const errorSamples: string[] = [];
  let ok = 0;
  let errors = 0;
  let dropped = 0;
  let sent = 0;
  let inFlight = 0;
  let lagCount = 0;
  let onIdle: (() => void) | null = null;

  const fire = (dueAt: number) => {
    const sentAt = performance.now();
    lag[lagCount++] = sentAt - dueAt;
    if (inFlight >= maxInFlight) {
      dropped++;
      return;
    }
    sent++;
    inFlight++;
    opts.op().then(
      () => {
        const doneAt = performance.now();
        latencies[ok] = latencyFromSchedule(dueAt, doneAt);
        service[ok] = doneAt - sentAt;
        ok++;
      },
      (err: unknown) => {
        errors++;
        if (errorSamples.length < 5) errorSamples.push(String(err instanceof Error ? err.message : err));
      },
    ).finally(() => {
      inFlight--;
      if (inFlight === 0) onIdle?.();
    });
  };

  const start = performance.now() + 2;
  // Bounded in time as well as count: past this the schedule is abandoned (never expected).
  const hardStop = start + opts.durationMs + 10_000;
  let i = 0;
  while (i < count) {
    const now = performance.now();
    if (now > hardStop || opts.signal?.aborted) break;
    while (i < count && start + i * intervalMs <= now) fire(start + i++ * intervalMs);
    if (i >= count) break;
    const wait = start + i * intervalMs - performance.now();
    await sleep(Math.max(0, wait));
  }
  const unsent = count - i;

  if (inFlight > 0) {
    await Promise.race([new Promise<void>((resolve) => (onIdle = resolve)), sleep(drainTimeoutMs)]);
  }
  onIdle = null;
  return {
    targetRate: opts.ratePerSec,
    durationMs: opts.durationMs,
    scheduled: count,
    sent,
    ok,
    errors,
    dropped: dropped + unsent,
    unfinished: inFlight,
    achievedRate: (ok * 1000) / opts.durationMs,
    latencyMs: summarize(latencies.subarray(0, ok)),
    serviceTimeMs: summarize(service.subarray(0, ok)),
    schedulerLagMs: summarize(lag.subarray(0, lagCount)),
    errorSamples,
  };
}
