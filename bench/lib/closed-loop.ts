// Closed-loop load: `concurrency` workers, each sending its next request as soon as the previous
// one finished, for a warm-up and then a measured window. Gives the maximum sustainable throughput
// at that concurrency. Its latencies are reported for reference only: a closed loop slows down
// with the system under test, so they understate queueing (use the open loop for latency).
import { performance } from "node:perf_hooks";
import { summarize, type LatencySummary } from "./stats";

export type Operation = () => Promise<void>;

export type ClosedLoopOptions = {
  concurrency: number;
  warmupMs: number;
  durationMs: number;
  /** Hard cap on requests per worker, warm-up included, so the loop is bounded in count too. */
  maxRequestsPerWorker?: number;
  op: Operation;
  /** Stops the workers early (their results are then partial). */
  signal?: AbortSignal;
};

export type ClosedLoopResult = {
  concurrency: number;
  measuredMs: number;
  ok: number;
  errors: number;
  /** Successful completions per second inside the measured window. */
  throughput: number;
  latencyMs: LatencySummary;
  errorSamples: string[];
  /** Every failed op, inside the window or not (warm-up, the tail), by message: a failure is never nothing. */
  failuresByMessage: Record<string, number>;
};

export async function runClosedLoop(opts: ClosedLoopOptions): Promise<ClosedLoopResult> {
  const maxPerWorker = opts.maxRequestsPerWorker ?? 5_000_000;
  const start = performance.now();
  const measureStart = start + opts.warmupMs;
  const measureEnd = measureStart + opts.durationMs;
  const latencies: number[] = [];
  const errorSamples: string[] = [];
  let ok = 0;
  let errors = 0;
  const failuresByMessage: Record<string, number> = {};

  const worker = async () => {
    for (let i = 0; i < maxPerWorker; i++) {
      const t0 = performance.now();
      if (t0 >= measureEnd || opts.signal?.aborted) return;
      let failure: unknown = null;
      try {
        await opts.op();
      } catch (err) {
        failure = err;
      }
      const t1 = performance.now();
      if (failure !== null) {
        const message = String(failure instanceof Error ? failure.message : failure).slice(0, 200);
        failuresByMessage[message] = (failuresByMessage[message] ?? 0) + 1;
      }
      // Count what completes inside the window, whenever it was started.
      if (t1 < measureStart || t1 > measureEnd) continue;
      if (failure === null) {
        ok++;
        latencies.push(t1 - t0);
      } else {
        errors++;
        if (errorSamples.length < 5) errorSamples.push(String(failure instanceof Error ? failure.message : failure));
      }
    }
  };

  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  const measuredMs = Math.min(performance.now(), measureEnd) - measureStart;
  return {
    concurrency: opts.concurrency,
    measuredMs,
    ok,
    errors,
    throughput: measuredMs > 0 ? (ok * 1000) / measuredMs : 0,
    latencyMs: summarize(latencies),
    errorSamples,
    failuresByMessage,
  };
}
