// B. sustained create + first exec + terminate, closed loop, for a fixed time.
import { runClosedLoop } from "../lib/closed-loop";
import type { RawRunc } from "../lib/raw-runc";
import { round } from "../lib/stats";
import { loopFailures, mergeFailures } from "./failures";
import { checkAborted, ms, r3 } from "./helpers";
import type { Log, SessionsParams } from "./params";
import type { Api } from "./tiers";

export async function phaseSustained(api: Api, raw: RawRunc, p: SessionsParams, log: Log, signal?: AbortSignal) {
  log(`B: API closed loop, ${p.sustainedConcurrency} at a time, ${p.sustainedMs / 1000} s: create → exec true → DELETE → terminated`);
  const apiLoop = await runClosedLoop({
    concurrency: p.sustainedConcurrency,
    warmupMs: 0,
    durationMs: p.sustainedMs,
    maxRequestsPerWorker: 500,
    signal,
    op: async () => {
      const id = await api.create(p.memoryMib, p.vcpu);
      try {
        await api.exec(id, ["true"]);
      } finally {
        await api.terminate(id, true, 50);
      }
    },
  });
  log(`B: API ${(apiLoop.throughput * 60).toFixed(0)} cycles/min, ${apiLoop.errors} errors`);
  checkAborted(signal);
  log(`B: raw closed loop, ${p.sustainedConcurrency} at a time, ${p.sustainedRawMs / 1000} s: run -d → exec true → delete --force`);
  const rawLoop = await runClosedLoop({
    concurrency: p.sustainedConcurrency,
    warmupMs: 0,
    durationMs: p.sustainedRawMs,
    maxRequestsPerWorker: 2000,
    signal,
    op: async () => {
      const c = raw.prepare({ memoryMib: p.memoryMib });
      try {
        await raw.run(c);
        await raw.exec(c, ["true"]);
      } finally {
        await raw.remove(c);
      }
    },
  });
  log(`B: raw ${(rawLoop.throughput * 60).toFixed(0)} cycles/min, ${rawLoop.errors} errors`);
  const report = (l: typeof apiLoop) => ({
    concurrency: l.concurrency,
    measuredMs: Math.round(l.measuredMs),
    completed: l.ok,
    errors: l.errors,
    cyclesPerMinute: round(l.throughput * 60, 1),
    cycleLatencyMsReferenceOnly: ms(l.latencyMs),
    errorSamples: l.errorSamples,
  });
  return {
    // Every failed cycle, also those ending outside the measured window.
    operationFailures: mergeFailures({ api: loopFailures(apiLoop.ok, apiLoop.failuresByMessage), raw: loopFailures(rawLoop.ok, rawLoop.failuresByMessage) }),
    what: "closed loop: each worker runs create → first exec (true) → terminate and waits until it is gone before the next; cycles completed inside the window per minute",
    api: { ...report(apiLoop), terminatePollMs: 50 },
    raw: report(rawLoop),
    ratios: { apiOverRaw: r3(apiLoop.throughput, rawLoop.throughput) },
  };
}
