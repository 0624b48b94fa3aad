// D. exec round trip (`true`) on one running sandbox; and, on the backend, how promptly an exec
// returns when a background process still holds its output, and how late an exec past its timeout
// is killed (what the sandbox lifecycle tests check only for correctness, never for time).
import type { SandboxBackend } from "../../lib/sandbox";
import { runc } from "../lib/raw-runc";
import { summarize } from "../lib/stats";
import { checkAborted, ms, msg, now, threeTierRatios } from "./helpers";
import type { Log, SessionsParams } from "./params";
import type { Api } from "./tiers";

const EDGE_TIMEOUT_MS = 200;

export async function phaseExec(api: Api, runnerBackend: SandboxBackend, p: SessionsParams, log: Log, signal?: AbortSignal) {
  const id = await api.create(p.memoryMib, p.vcpu);
  const containerId = `burrow-${id}`;
  const apiMs: number[] = [];
  const beMs: number[] = [];
  const rawMs: number[] = [];
  const backgroundMs: number[] = [];
  const overshootMs: number[] = [];
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
    const edgeRuns = Math.min(20, Math.max(3, Math.round(p.execRuns / 10)));
    for (let i = 0; i < edgeRuns && Date.now() < deadline + 10_000; i++) {
      checkAborted(signal);
      const t0 = now();
      const bg = await runnerBackend.exec(id, { command: ["sh", "-c", "sleep 30 & echo started"], timeoutMs: 20_000 });
      if (bg.timedOut || bg.exitCode !== 0) throw new Error(`backend exec with a background holder: exit ${bg.exitCode}, timedOut ${bg.timedOut}`);
      backgroundMs.push(now() - t0);
      const killed = await runnerBackend.exec(id, { command: ["sh", "-c", "sleep 1000 & sleep 1001"], timeoutMs: EDGE_TIMEOUT_MS });
      if (!killed.timedOut) throw new Error("backend exec past its timeout was not reported timedOut");
      overshootMs.push(killed.durationMs - EDGE_TIMEOUT_MS);
    }
  } finally {
    await api.terminate(id).catch((e) => log(`D: terminate ${id}: ${msg(e)}`));
  }
  const bgS = summarize(backgroundMs);
  const overS = summarize(overshootMs);
  const a = summarize(apiMs);
  const b = summarize(beMs);
  const r = summarize(rawMs);
  log(`D: p50 API ${a.p50.toFixed(1)} ms, backend ${b.p50.toFixed(1)} ms, runc exec ${r.p50.toFixed(1)} ms`);
  log(`D: backend p50 with a background holder ${bgS.p50.toFixed(1)} ms (${(bgS.p50 / b.p50).toFixed(2)}× exec true); timeout kill ${overS.p50.toFixed(1)} ms late`);
  return {
    what: {
      api: "POST /api/v1/sessions/{id}/exec {command:[\"true\"]} → JSON result (web app → runner internal HTTP → runc exec)",
      backend: "backend.exec(id, {command:[\"true\"]}) in the bench process on the runner's state dir (runc exec of the /bin/sh status wrapper)",
      raw: "runc exec burrow-<id> true on the same container",
    },
    roundTripMs: { api: ms(a), backend: ms(b), raw: ms(r) },
    ratios: threeTierRatios(a, b, r),
    backendEdges: {
      what: {
        backgroundHolder: "backend.exec of `sh -c \"sleep 30 & echo started\"`: returns when sh exits, not when the sleep does",
        timeoutOvershoot: `backend.exec of \`sleep 1000 & sleep 1001\` with timeoutMs ${EDGE_TIMEOUT_MS}: durationMs − timeoutMs`,
      },
      backgroundHolderMs: ms(bgS),
      timeoutOvershootMs: ms(overS),
      backgroundHolderOverExecTrue: bgS.p50 / b.p50,
    },
  };
}
