// A. create → first exec (`true`) completes, one at a time, each terminated before the next.
import type { RawRunc } from "../lib/raw-runc";
import { summarize } from "../lib/stats";
import { countFailures } from "./failures";
import { checkAborted, ms, msg, now, threeTierRatios } from "./helpers";
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
  const rawTotal: number[] = [];
  const rawRun: number[] = [];
  const rawDelete: number[] = [];
  const errors: string[] = [];
  const outcomes: { ok: boolean; error?: string }[] = [];

  const apiCycle = async (record: boolean) => {
    const t0 = now();
    const id = await api.create(p.memoryMib, p.vcpu);
    const t1 = now();
    try {
      await api.exec(id, ["true"]);
    } finally {
      const t2 = now();
      await api.terminate(id);
      const t3 = now();
      if (record) {
        apiTotal.push(t2 - t0);
        apiCreate.push(t1 - t0);
        apiTerminate.push(t3 - t2);
        const b = startBreakdown(await api.events(id));
        if (Number.isFinite(b.pickupMs)) pickup.push(b.pickupMs);
        if (Number.isFinite(b.runnerStartMs)) runnerStart.push(b.runnerStartMs);
      }
    }
  };
  const beCycle = async (record: boolean) => {
    const t0 = now();
    const id = await be.create(p.memoryMib, p.vcpu);
    const t1 = now();
    try {
      await be.exec(id, ["true"]);
    } finally {
      const t2 = now();
      await be.destroy(id);
      const t3 = now();
      if (record) {
        beTotal.push(t2 - t0);
        beCreate.push(t1 - t0);
        beDestroy.push(t3 - t2);
      }
    }
  };
  const rawCycle = async (record: boolean) => {
    const t0 = now();
    const c = raw.prepare({ memoryMib: p.memoryMib });
    await raw.run(c);
    const t1 = now();
    try {
      await raw.exec(c, ["true"]);
    } finally {
      const t2 = now();
      await raw.remove(c);
      const t3 = now();
      if (record) {
        rawTotal.push(t2 - t0);
        rawRun.push(t1 - t0);
        rawDelete.push(t3 - t2);
      }
    }
  };

  log(`A: warm-up (3 cycles per tier; prepares the base template of both state dirs)`);
  for (let i = 0; i < 3; i++) {
    await apiCycle(false);
    await beCycle(false);
    await rawCycle(false);
  }
  // Interleaved, rotating the order, so drifting background load hits all tiers alike.
  const tiers = [apiCycle, beCycle, rawCycle];
  const deadline = Date.now() + p.latencyBudgetMs;
  let runs = 0;
  log(`A: ${p.latencyRuns} runs per tier, interleaved (at most ${p.latencyBudgetMs / 1000} s)`);
  for (; runs < p.latencyRuns && Date.now() < deadline; runs++) {
    checkAborted(signal);
    for (let k = 0; k < 3; k++) {
      try {
        await tiers[(runs + k) % 3](true);
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
  log(`A: ${runs} runs; p50 API ${apiS.p50.toFixed(0)} ms, backend ${backend.p50.toFixed(0)} ms, raw ${rawS.p50.toFixed(0)} ms`);
  return {
    operationFailures: countFailures(outcomes),
    runsPerTier: runs,
    what: {
      api: "POST /api/v1/sessions (base template, 1 vCPU, 64 MiB, pool of the bench runner) → POST …/exec [\"true\"] returned exit 0 (the server waits until the runner reports running)",
      backend: "createRuncBackend in the bench process: create (host template overlay + runc run -d) → exec true (runc exec of the /bin/sh status wrapper)",
      raw: "write config.json → runc run -d → runc exec <id> true, on a shared read-only busybox rootfs (no overlay), same OCI config otherwise",
    },
    createToFirstExecMs: { api: ms(apiS), backend: ms(backend), raw: ms(rawS) },
    ratios: threeTierRatios(apiS, backend, rawS),
    breakdownMs: {
      apiCreateRequest: ms(summarize(apiCreate)),
      apiRunnerPickup: { ...ms(summarize(pickup)), note: "session event pending → starting (runner notified via a NOTIFY naming the session, or its 5 s full pass)" },
      apiRunnerStart: { ...ms(summarize(runnerStart)), note: "session event starting → running (destroy leftovers, overlay, runc run -d, record)" },
      apiTerminateToTerminated: { ...ms(summarize(apiTerminate)), note: `DELETE → GET shows terminated, polled every ${p.pollMs} ms` },
      backendCreate: ms(summarize(beCreate)),
      backendDestroy: ms(summarize(beDestroy)),
      rawRun: ms(summarize(rawRun)),
      rawDeleteForce: ms(summarize(rawDelete)),
    },
    errors,
  };
}
