// A. create → first exec (`true`) completes, one at a time, each terminated before the next.
// Four tiers: the API cold (placement + a sandbox start), the API from a warm pool (a create of the
// pool's shape claims a started sandbox; the runner refills in the background), the backend alone
// and raw runc. A warm create that found the pool empty took the cold path: counted as a miss.
import type { RawRunc } from "../lib/raw-runc";
import { summarize } from "../lib/stats";
import { countFailures } from "./failures";
import { checkAborted, ms, msg, now, threeTierRatios } from "./helpers";
import { round } from "../lib/stats";

const r3 = (a: number, b: number) => (b > 0 ? round(a / b, 3) : null);
import type { Log, SessionsParams } from "./params";
import { type Api, type Backend, startBreakdown } from "./tiers";

export async function phaseLatency(api: Api, be: Backend, raw: RawRunc, p: SessionsParams, log: Log, signal?: AbortSignal) {
  const apiTotal: number[] = [];
  const apiCreate: number[] = [];
  const apiTerminate: number[] = [];
  const pickup: number[] = [];
  const runnerStart: number[] = [];
  const beTotal: number[] = [];
  const beCreate: number[] = [];
  const beDestroy: number[] = [];
  const warmTotal: number[] = [];
  const warmCreate: number[] = [];
  const warmExec: number[] = [];
  let warmMisses = 0;
  const rawTotal: number[] = [];
  const rawRun: number[] = [];
  const rawDelete: number[] = [];
  const errors: string[] = [];
  const outcomes: { ok: boolean; error?: string }[] = [];

  const apiCycle = (record: boolean) =>
    timedCycle(
      { create: () => api.create(p.memoryMib, p.vcpu), exec: (id) => api.exec(id, ["true"]), teardown: (id) => api.terminate(id) },
      record && (async (t, id) => {
        apiTotal.push(t.create + t.exec);
        apiCreate.push(t.create);
        apiTerminate.push(t.teardown);
        const b = startBreakdown(await api.events(id));
        if (Number.isFinite(b.pickupMs)) pickup.push(b.pickupMs);
        if (Number.isFinite(b.runnerStartMs)) runnerStart.push(b.runnerStartMs);
      }),
    );
  const warmCycle = (record: boolean) =>
    timedCycle(
      { create: () => api.create(p.warmMemoryMib, p.vcpu), exec: (id) => api.exec(id, ["true"]), teardown: (id) => api.terminate(id) },
      record && (async (t, id) => {
        const claimed = (await api.events(id)).some((e) => e.cause === "warm_pool");
        if (!claimed) warmMisses++;
        warmTotal.push(t.create + t.exec);
        warmCreate.push(t.create);
        warmExec.push(t.exec);
      }),
    );
  const beCycle = (record: boolean) =>
    timedCycle(
      { create: () => be.create(p.memoryMib, p.vcpu), exec: (id) => be.exec(id, ["true"]), teardown: (id) => be.destroy(id) },
      record && ((t) => {
        beTotal.push(t.create + t.exec);
        beCreate.push(t.create);
        beDestroy.push(t.teardown);
      }),
    );
  const rawCycle = (record: boolean) =>
    timedCycle(
      {
        create: async () => {
          const c = raw.prepare({ memoryMib: p.memoryMib });
          await raw.run(c);
          return c;
        },
        exec: (c) => raw.exec(c, ["true"]),
        teardown: (c) => raw.remove(c),
      },
      record && ((t) => {
        rawTotal.push(t.create + t.exec);
        rawRun.push(t.create);
        rawDelete.push(t.teardown);
      }),
    );

  const warm = p.warmPoolSize > 0;
  log(`A: warm-up (3 cycles per tier; prepares the base template of both state dirs)`);
  for (let i = 0; i < 3; i++) {
    await apiCycle(false);
    if (warm) await warmCycle(false);
    await beCycle(false);
    await rawCycle(false);
  }
  // Interleaved, rotating the order, so drifting background load hits all tiers alike.
  const tiers = warm ? [apiCycle, warmCycle, beCycle, rawCycle] : [apiCycle, beCycle, rawCycle];
  const deadline = Date.now() + p.latencyBudgetMs;
  let runs = 0;
  log(`A: ${p.latencyRuns} runs per tier, interleaved (at most ${p.latencyBudgetMs / 1000} s)`);
  for (; runs < p.latencyRuns && Date.now() < deadline; runs++) {
    checkAborted(signal);
    for (let k = 0; k < tiers.length; k++) {
      try {
        await tiers[(runs + k) % tiers.length](true);
        outcomes.push({ ok: true });
      } catch (err) {
        outcomes.push({ ok: false, error: msg(err) });
        errors.push(msg(err));
        if (errors.length > 5) throw new Error(`A: too many failures: ${errors.join("; ")}`);
      }
    }
  }
  const apiS = summarize(apiTotal);
  const backend = summarize(beTotal);
  const rawS = summarize(rawTotal);
  const warmS = summarize(warmTotal);
  log(`A: ${runs} runs; p50 API ${apiS.p50.toFixed(0)} ms, warm pool ${warm ? warmS.p50.toFixed(0) : "-"} ms (${warmMisses} misses), backend ${backend.p50.toFixed(0)} ms, raw ${rawS.p50.toFixed(0)} ms`);
  return {
    operationFailures: countFailures(outcomes),
    runsPerTier: runs,
    what: {
      api: "POST /api/v1/sessions (base template, 1 vCPU, 64 MiB, pool of the bench runner) → POST …/exec [\"true\"] returned exit 0 (the server waits until the runner reports running)",
      backend: "createRuncBackend in the bench process: create (host template overlay + runc run -d) → exec true (runc exec of the /bin/sh status wrapper)",
      warm: warm ? `as api, with ${p.warmMemoryMib} MiB: the runner keeps ${p.warmPoolSize} started sandboxes of that shape (WARM_POOL), the create claims one and the session is running at once; the exec goes through the sandbox's agent with the session's env` : null,
      raw: "write config.json → runc run -d → runc exec <id> true, on a shared read-only busybox rootfs (no overlay), same OCI config otherwise",
    },
    createToFirstExecMs: { api: ms(apiS), warm: warm ? ms(warmS) : null, backend: ms(backend), raw: ms(rawS) },
    ratios: { ...threeTierRatios(apiS, backend, rawS), warmOverRaw: warm ? { p50: r3(warmS.p50, rawS.p50), p99: r3(warmS.p99, rawS.p99) } : null, warmOverApi: warm ? { p50: r3(warmS.p50, apiS.p50), p99: r3(warmS.p99, apiS.p99) } : null },
    warmPool: warm ? { size: p.warmPoolSize, misses: warmMisses, note: "misses: warm creates that found no ready pooled sandbox and started cold (counted in the warm figures)" } : null,
    breakdownMs: {
      apiCreateRequest: ms(summarize(apiCreate)),
      apiRunnerPickup: { ...ms(summarize(pickup)), note: "session event pending → starting (runner notified via a NOTIFY naming the session, or its 5 s full pass)" },
      apiRunnerStart: { ...ms(summarize(runnerStart)), note: "session event starting → running (destroy leftovers, overlay, runc run -d, record)" },
      apiTerminateToTerminated: { ...ms(summarize(apiTerminate)), note: `DELETE → GET shows terminated, polled every ${p.pollMs} ms` },
      warmCreateRequest: warm ? ms(summarize(warmCreate)) : null,
      warmFirstExec: warm ? { ...ms(summarize(warmExec)), note: "the first exec on a claimed sandbox (the runner adopts it on this request or its NOTIFY)" } : null,
      backendCreate: ms(summarize(beCreate)),
      backendDestroy: ms(summarize(beDestroy)),
      rawRun: ms(summarize(rawRun)),
      rawDeleteForce: ms(summarize(rawDelete)),
    },
    errors,
  };
}

type CycleTimes = { create: number; exec: number; teardown: number };

/**
 * One create → exec → teardown, each step timed; `record` (false during warm-up) gets the times
 * once the teardown is done. A failed exec still tears down, and its error goes to the caller.
 */
async function timedCycle<T>(
  ops: { create: () => Promise<T>; exec: (id: T) => Promise<unknown>; teardown: (id: T) => Promise<unknown> },
  record: false | ((t: CycleTimes, id: T) => void | Promise<void>),
): Promise<void> {
  const t0 = now();
  const id = await ops.create();
  const t1 = now();
  try {
    await ops.exec(id);
  } finally {
    const t2 = now();
    await ops.teardown(id);
    const t3 = now();
    if (record) await record({ create: t1 - t0, exec: t2 - t1, teardown: t3 - t2 }, id);
  }
}
