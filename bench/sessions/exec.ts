// D. exec round trip (`true`) on one running sandbox.
import type { SandboxBackend } from "../../lib/sandbox";
import { runc } from "../lib/raw-runc";
import { summarize } from "../lib/stats";
import { checkAborted, ms, msg, now, threeTierRatios } from "./helpers";
import type { Log, SessionsParams } from "./params";
import type { Api } from "./tiers";

export async function phaseExec(api: Api, runnerBackend: SandboxBackend, p: SessionsParams, log: Log, signal?: AbortSignal) {
  const id = await api.create(p.memoryMib, p.vcpu);
  const containerId = `burrow-${id}`;
  const apiMs: number[] = [];
  const beMs: number[] = [];
  const rawMs: number[] = [];
  try {
    await api.exec(id, ["true"]);
    const tiers: [number[], () => Promise<void>][] = [
      [apiMs, async () => void (await api.exec(id, ["true"]))],
      [beMs, async () => {
        const r = await runnerBackend.exec(id, { command: ["true"] });
        if (r.exitCode !== 0) throw new Error(`backend exec: exit ${r.exitCode}`);
      }],
      [rawMs, async () => {
        const r = await runc(["exec", containerId, "true"]);
        if (r.code !== 0) throw new Error(`runc exec: exit ${r.code}: ${r.stderr}`);
      }],
    ];
    for (const [, op] of tiers) for (let i = 0; i < 5; i++) await op();
    log(`D: ${p.execRuns} exec round trips per tier on one session, interleaved in rounds of 10 (at most ${p.execBudgetMs / 1000} s)`);
    const deadline = Date.now() + p.execBudgetMs;
    for (let round = 0; apiMs.length < p.execRuns && Date.now() < deadline; round++) {
      checkAborted(signal);
      for (let k = 0; k < 3; k++) {
        const [into, op] = tiers[(round + k) % 3];
        for (let i = 0; i < 10 && into.length < p.execRuns; i++) {
          const t0 = now();
          await op();
          into.push(now() - t0);
        }
      }
    }
  } finally {
    await api.terminate(id).catch((e) => log(`D: terminate ${id}: ${msg(e)}`));
  }
  const a = summarize(apiMs);
  const b = summarize(beMs);
  const r = summarize(rawMs);
  log(`D: p50 API ${a.p50.toFixed(1)} ms, backend ${b.p50.toFixed(1)} ms, runc exec ${r.p50.toFixed(1)} ms`);
  return {
    what: {
      api: "POST /api/v1/sessions/{id}/exec {command:[\"true\"]} → JSON result (web app → runner internal HTTP → runc exec)",
      backend: "backend.exec(id, {command:[\"true\"]}) in the bench process on the runner's state dir (runc exec of the /bin/sh status wrapper)",
      raw: "runc exec burrow-<id> true on the same container",
    },
    roundTripMs: { api: ms(a), backend: ms(b), raw: ms(r) },
    ratios: threeTierRatios(a, b, r),
  };
}
