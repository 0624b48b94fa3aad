// (a) Line → SSE client latency while `sessions × linesPerSecPerSession` lines/s flow, against a raw
// pg LISTEN client receiving the NOTIFY of the same lines in the same run.
//   direct:  the bench writes with appendSessionLogs (what is due per session every flushEveryMs,
//            one write in flight per session, as the runner's batcher does); latency from the call
//            to arrival (so the insert is counted), and from when the line was due;
//   sandbox: a shell in each session's sandbox prints lines stamped with $EPOCHREALTIME; latency
//            from the print (same host clock) to arrival, through the runner's capture and batcher.
import { performance } from "node:perf_hooks";
import { appendSessionLogs } from "../../lib/logs/append-session-logs";
import type { JsonClient } from "../lib/json-client";
import { ratio, round, roundSummary, summarize } from "../lib/stats";
import { checkAborted, followSessions, type LiveCtx, sleep } from "./context";
import type { LogsLiveParams } from "./params";

type Batch = { sessionId: string; firstSeq: number; lastSeq: number; calledAt: number; doneAt: number; producedAt: (i: number) => number };

export async function phaseDirectLatency(ctx: LiveCtx, p: LogsLiveParams) {
  const rate = p.linesPerSecPerSession;
  const targetRate = ctx.sessions.length * rate;
  ctx.log(`direct: ${ctx.sessions.length} sessions × ${rate} lines/s (${targetRate} lines/s), written every ${p.flushEveryMs} ms, one write in flight per session, for ${p.latencyDurationMs} ms`);
  const followers = await followSessions(ctx);
  ctx.notices.clear();
  const batches: Batch[] = [];
  const errors: string[] = [];
  try {
    await sleep(500);
    const start = performance.now();
    // Each session's lines are produced at `rate` (line i at start + offset + i / rate) and written
    // as the runner's batcher does: whatever is due, every flushEveryMs, one write at a time.
    const writer = async (s: number) => {
      const sessionId = ctx.sessions[s];
      const offset = (s * p.flushEveryMs) / ctx.sessions.length;
      let produced = 0;
      for (let k = 1; ; k++) {
        checkAborted(ctx.signal);
        const wait = start + offset + k * p.flushEveryMs - performance.now();
        if (wait > 1) await sleep(wait);
        const elapsed = Math.min(performance.now() - start - offset, p.latencyDurationMs);
        const due = Math.floor((elapsed * rate) / 1000) - produced;
        if (due > 0) {
          const lines = Array.from({ length: due }, (_, i) => ({ stream: "stdout" as const, source: "bench", at: new Date(), line: `direct ${produced + i} ${"x".repeat(60)}` }));
          const calledAt = performance.now();
          const base = produced;
          try {
            const r = await appendSessionLogs(ctx.tenantId, sessionId, lines);
            if (r) batches.push({ sessionId, ...r, calledAt, doneAt: performance.now(), producedAt: (i) => start + offset + ((base + i) * 1000) / rate });
          } catch (err) {
            errors.push((err as Error).message);
          }
          produced += due;
        }
        if (elapsed >= p.latencyDurationMs) return produced;
      }
    };
    const produced = (await Promise.all(ctx.sessions.map((_, s) => writer(s)))).reduce((a, b) => a + b, 0);
    const elapsedMs = performance.now() - start;
    await sleep(2000);

    const sse: number[] = [];
    const notify: number[] = [];
    const commit: number[] = [];
    const fromProduced: number[] = [];
    let lost = 0;
    for (const b of batches) {
      commit.push(b.doneAt - b.calledAt);
      for (let seq = b.firstSeq; seq <= b.lastSeq; seq++) {
        const arrived = followers.arrivals.get(b.sessionId)!.get(seq);
        const notified = ctx.notices.arrivalOf(b.sessionId, seq);
        if (arrived === undefined) lost += 1;
        else {
          sse.push(arrived - b.calledAt);
          fromProduced.push(arrived - b.producedAt(seq - b.firstSeq));
        }
        if (notified !== undefined) notify.push(notified - b.calledAt);
      }
    }
    const lines = batches.reduce((n, b) => n + b.lastSeq - b.firstSeq + 1, 0);
    return latencyReport({ lines, lost: lost + produced - lines, errors, sse, notify, extra: {
      latencyFrom: "the appendSessionLogs call (so the insert transaction is counted in both)",
      targetLinesPerSec: targetRate, achievedLinesPerSec: round((lines * 1000) / elapsedMs, 1), batches: batches.length,
      commitLatencyMs: roundSummary(summarize(commit)),
      producedToSseMs: roundSummary(summarize(fromProduced)),
    } });
  } finally {
    followers.close();
  }
}

export async function phaseSandboxLatency(ctx: LiveCtx, p: LogsLiveParams, http: JsonClient) {
  const perSleep = 10;
  const sleepS = perSleep / p.linesPerSecPerSession;
  const seconds = Math.round(p.sandboxDurationMs / 1000);
  ctx.log(`sandbox: ${ctx.sessions.length} shells print ${perSleep} lines every ${sleepS.toFixed(3)} s (~${p.linesPerSecPerSession * ctx.sessions.length} lines/s) for ${seconds} s`);
  const printed: { sessionId: string; seq: number; printedAt: number; arrivedAt: number }[] = [];
  const origin = performance.timeOrigin;
  const followers = await followSessions(ctx, (sessionId, seq, data, at) => {
    const m = /"line":"bench-print \d+ (\d+\.\d+)"/.exec(data);
    if (m) printed.push({ sessionId, seq, printedAt: Number(m[1]) * 1000, arrivedAt: origin + at });
  });
  ctx.notices.clear();
  const script = `end=$((SECONDS+${seconds})); n=0; while [ $SECONDS -lt $end ]; do for j in ${Array.from({ length: perSleep }, (_, i) => i).join(" ")}; do n=$((n+1)); echo "bench-print $n $EPOCHREALTIME"; done; sleep ${sleepS}; done; echo "total $n"`;
  try {
    await sleep(500);
    const started = performance.now();
    const results = await Promise.all(ctx.sessions.map((id) =>
      http.ok<{ exitCode: number; stdout: string }>("POST", `/api/v1/sessions/${id}/exec`, { command: ["bash", "-c", script], timeoutMs: (seconds + 30) * 1000 }, (seconds + 60) * 1000)));
    const elapsedMs = performance.now() - started;
    const total = results.reduce((n, r) => n + Number(/total (\d+)/.exec(r.stdout)?.[1] ?? 0), 0);
    await sleep(2000);
    const sse = printed.map((x) => x.arrivedAt - x.printedAt);
    const notify = printed.flatMap((x) => {
      const at = ctx.notices.arrivalOf(x.sessionId, x.seq);
      return at === undefined ? [] : [origin + at - x.printedAt];
    });
    return latencyReport({ lines: total, lost: total - printed.length, errors: [], sse, notify, extra: {
      achievedLinesPerSec: round((total * 1000) / elapsedMs, 1), printLoop: script,
    } });
  } finally {
    followers.close();
  }
}

function latencyReport(r: { lines: number; lost: number; errors: string[]; sse: number[]; notify: number[]; extra: Record<string, unknown> }) {
  const sse = summarize(r.sse);
  const notify = summarize(r.notify);
  return {
    lines: r.lines,
    lostAtSseClient: r.lost,
    writeErrors: r.errors.length,
    errorSamples: r.errors.slice(0, 3),
    ...r.extra,
    sseLatencyMs: roundSummary(sse),
    baselineNotifyLatencyMs: roundSummary(notify),
    ratios: { p50: round(ratio(sse.p50, notify.p50) ?? NaN), p99: round(ratio(sse.p99, notify.p99) ?? NaN) },
    addedBySseMs: { p50: round(sse.p50 - notify.p50), p99: round(sse.p99 - notify.p99) },
  };
}
