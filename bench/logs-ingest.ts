// `npm run bench -- logs-ingest`: how many log lines per second the runner's writer (LogBatcher →
// appendSessionLogs: sequence range, one INSERT and one NOTIFY per session per flush) commits with
// zero loss, and the commit latency (line handed to the batcher → its transaction committed) at
// fixed offered loads below that. Baseline, same run, same lines, same table: raw `pg` multi-row
// INSERTs (the same unnest statement, sequence numbers from the client, no counter row, no
// NOTIFY, no Prisma), once flat out with the batcher's batch size and concurrency, once with the
// batcher's own policy (a flush every 50 ms) at the same offered load. Runs in the bench process
// against the bench database; no server or sandbox involved.
import { randomBytes } from "node:crypto";
import os from "node:os";
import { performance } from "node:perf_hooks";
import pg from "pg";
import type { LogBatcher as LogBatcherClass, LogBatcherOptions } from "../lib/logs/log-batcher";
import { runInfo, writeResult } from "./lib/results";
import { type LatencySummary, ratio, round, roundSummary, summarize } from "./lib/stats";
import { knob } from "./lib/knob";

export type LogsIngestParams = {
  sessions: number;
  warmupMs: number;
  sustainedMs: number;
  loadMs: number;
  /** The fixed offered loads, as fractions of the batcher's sustained (closed-loop) rate. */
  loadFractions: number[];
  /** Lines per phase at most (keeps the table, and the run, bounded). */
  maxLinesPerPhase: number;
};


export function logsIngestParams(): LogsIngestParams {
  return {
    sessions: Math.round(knob("BENCH_INGEST_SESSIONS", 8, 1, 64)),
    warmupMs: knob("BENCH_INGEST_WARMUP_S", 1, 0, 5) * 1000,
    sustainedMs: knob("BENCH_INGEST_DURATION_S", 8, 2, 12) * 1000,
    loadMs: knob("BENCH_INGEST_LOAD_S", 5, 2, 8) * 1000,
    loadFractions: [knob("BENCH_INGEST_LOAD_LOW", 0.5, 0.05, 1), knob("BENCH_INGEST_LOAD_HIGH", 0.8, 0.05, 1)],
    maxLinesPerPhase: Math.round(knob("BENCH_INGEST_MAX_LINES", 2_000_000, 10_000, 5_000_000)),
  };
}

type Target = { tenantId: string; sessionId: string };
type Line = { at: Date; line: string };
type Env = { admin: pg.Client; pool: pg.Pool; tenantId: string; params: LogsIngestParams; newBatcher: (o: LogBatcherOptions) => LogBatcherClass; warnings: string[] };

const FLUSH_EVERY_MS = 50;
/** Sessions written at the same time (the batcher's default); BENCH_INGEST_CONCURRENCY to compare. */
const CONCURRENCY = Math.round(knob("BENCH_INGEST_CONCURRENCY", 4, 1, 16));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const yieldToLoop = () => new Promise((r) => setImmediate(r));
const count = (m: Map<string, number>, k: string, n = 1) => m.set(k, (m.get(k) ?? 0) + n);

/** A typical ~130-byte application log line; every one different. */
const lineText = (i: number) =>
  `2026-11-23T10:00:00.000Z INFO worker-${i % 16} handled request id=${String(i).padStart(9, "0")} path=/api/items/${i % 977} status=200 ms=${i % 250}`;

async function createSessions(env: Env, label: string): Promise<Target[]> {
  const targets: Target[] = [];
  for (let i = 0; i < env.params.sessions; i++) {
    const id = `ses_BENCH${label}${randomBytes(8).toString("hex").toUpperCase()}`;
    await env.admin.query(
      `INSERT INTO sessions (id, tenant_id, template_name, rootfs, state, vcpu, memory_mib, disk_mib, max_lifetime_seconds)
       VALUES ($1, $2, 'base', '{}', 'running', 1, 256, 1024, 86400)`,
      [id, env.tenantId],
    );
    targets.push({ tenantId: env.tenantId, sessionId: id });
  }
  return targets;
}

/** Rows per session against what was sent: zero loss means every count matches and seq is 1..count. */
async function checkRows(env: Env, targets: Target[], sent: Map<string, number>) {
  const { rows } = await env.admin.query<{ session_id: string; n: number; lo: number; hi: number }>(
    "SELECT session_id, count(*)::int AS n, min(seq)::int AS lo, max(seq)::int AS hi FROM session_logs WHERE session_id = ANY($1) GROUP BY session_id",
    [targets.map((t) => t.sessionId)],
  );
  const total = [...sent.values()].reduce((a, b) => a + b, 0);
  const stored = rows.reduce((a, r) => a + r.n, 0);
  const contiguous = rows.every((r) => r.lo === 1 && r.hi === r.n);
  const matches = targets.every((t) => (rows.find((r) => r.session_id === t.sessionId)?.n ?? 0) === (sent.get(t.sessionId) ?? 0));
  return { sent: total, stored, lost: total - stored, contiguous, zeroLoss: matches && contiguous && total === stored };
}

/** The raw baseline's insert: appendSessionLogs' statement without the counter row, NOTIFY or Prisma. */
function rawInserter(env: Env) {
  const seqs = new Map<string, number>();
  return async (t: Target, lines: Line[]) => {
    const first = (seqs.get(t.sessionId) ?? 0) + 1;
    seqs.set(t.sessionId, first + lines.length - 1);
    await env.pool.query(
      `INSERT INTO session_logs (session_id, seq, tenant_id, stream, source, at, line)
       SELECT $1, $2::bigint + ord - 1, $3, stream, source, at, line
       FROM unnest($4::text[], $5::text[], $6::timestamptz[], $7::text[]) WITH ORDINALITY AS t(stream, source, at, line, ord)`,
      [t.sessionId, first, t.tenantId, lines.map(() => "stdout"), lines.map(() => "bench"), lines.map((l) => l.at), lines.map((l) => l.line)],
    );
  };
}

/** Committed lines per second after the warm-up, for a loop that runs while `more()` says so. */
function rateMeter(warmupMs: number) {
  const start = performance.now();
  let window: { c0: number; t0: number } | null = null;
  return {
    elapsed: () => performance.now() - start,
    tick(committed: number) {
      if (!window && performance.now() - start >= warmupMs) window = { c0: committed, t0: performance.now() };
    },
    rate: (committed: number) => (window ? ((committed - window.c0) * 1000) / (performance.now() - window.t0) : NaN),
  };
}

/** Producers push as fast as the batcher takes lines, waiting whenever it is full. */
async function batcherFlatOut(env: Env) {
  const targets = await createSessions(env, "A");
  let committed = 0;
  let batches = 0;
  const batcher = env.newBatcher({ onCommitted: (_t, lines) => ((committed += lines.length), batches++) });
  const sent = new Map<string, number>();
  const meter = rateMeter(env.params.warmupMs);
  let pushed = 0;
  while (meter.elapsed() < env.params.warmupMs + env.params.sustainedMs && pushed < env.params.maxLinesPerPhase) {
    meter.tick(committed);
    for (let k = 0; k < 200; k++, pushed++) {
      const t = targets[pushed % targets.length];
      count(sent, t.sessionId);
      if (!batcher.push(t, { stream: "stdout", source: "bench", at: new Date(), line: lineText(pushed) })) await batcher.whenWritable();
    }
    await yieldToLoop();
  }
  const rate = meter.rate(committed);
  await batcher.close(30_000);
  return { rate, meanBatch: committed / Math.max(1, batches), loss: await checkRows(env, targets, sent) };
}

/** The same lines through raw INSERTs of `batchSize`, CONCURRENCY at a time, flat out. */
async function rawFlatOut(env: Env, batchSize: number) {
  const targets = await createSessions(env, "B");
  const insert = rawInserter(env);
  const sent = new Map<string, number>();
  const meter = rateMeter(env.params.warmupMs);
  let committed = 0;
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, w) => {
      for (let n = 0; meter.elapsed() < env.params.warmupMs + env.params.sustainedMs && next < env.params.maxLinesPerPhase; n++) {
        meter.tick(committed);
        const t = targets[(w + n * CONCURRENCY) % targets.length];
        const lines = Array.from({ length: batchSize }, () => ({ at: new Date(), line: lineText(next++) }));
        count(sent, t.sessionId, lines.length);
        await insert(t, lines);
        committed += lines.length;
      }
    }),
  );
  return { rate: meter.rate(committed), loss: await checkRows(env, targets, sent) };
}

/**
 * Offers `rate` lines per second for warm-up + loadMs: line i is due at start + i/rate and stamped
 * with that time, so a producer that falls behind (or is held back, as a process blocked on its
 * pipe would be) shows in the latency. Latencies of lines due after the warm-up are kept.
 */
async function openLoop(env: Env, rate: number, send: (i: number, due: Date) => { sessionId: string; wait?: Promise<void> }): Promise<Map<string, number>> {
  const sent = new Map<string, number>();
  const start = Date.now();
  const total = Math.min(env.params.maxLinesPerPhase, Math.floor((rate * (env.params.warmupMs + env.params.loadMs)) / 1000));
  for (let i = 0; i < total; ) {
    const dueNow = Math.min(total, Math.floor(((Date.now() - start) * rate) / 1000));
    for (; i < dueNow; i++) {
      const { sessionId, wait } = send(i, new Date(start + (i * 1000) / rate));
      count(sent, sessionId);
      if (wait) await wait;
    }
    await sleep(2);
  }
  return sent;
}

async function batcherAtLoad(env: Env, rate: number) {
  const targets = await createSessions(env, "C");
  const latencies: number[] = [];
  const measureFrom = Date.now() + env.params.warmupMs;
  const batcher = env.newBatcher({
    onCommitted: (_t, lines, at) => {
      for (const l of lines) if (l.at.getTime() >= measureFrom) latencies.push(at - l.at.getTime());
    },
  });
  let heldBack = 0;
  const sent = await openLoop(env, rate, (i, due) => {
    const t = targets[i % targets.length];
    if (batcher.push(t, { stream: "stdout", source: "bench", at: due, line: lineText(i) })) return { sessionId: t.sessionId };
    heldBack++;
    return { sessionId: t.sessionId, wait: batcher.whenWritable() };
  });
  await batcher.close(30_000);
  return { latency: summarize(latencies), heldBack, dropped: batcher.stats().droppedLines, loss: await checkRows(env, targets, sent) };
}

/** The batcher's policy done with raw pg: every 50 ms, one INSERT per session, CONCURRENCY at a time. */
async function rawAtLoad(env: Env, rate: number) {
  const targets = await createSessions(env, "D");
  const insert = rawInserter(env);
  const latencies: number[] = [];
  const measureFrom = Date.now() + env.params.warmupMs;
  let queued = new Map<string, Line[]>();
  let producing = true;
  const flusher = (async () => {
    while (producing || queued.size > 0) {
      const started = performance.now();
      const work = [...queued.entries()];
      queued = new Map();
      await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
        for (let e = work.shift(); e; e = work.shift()) {
          const [sessionId, lines] = e;
          await insert(targets.find((x) => x.sessionId === sessionId)!, lines);
          const at = Date.now();
          for (const l of lines) if (l.at.getTime() >= measureFrom) latencies.push(at - l.at.getTime());
        }
      }));
      await sleep(Math.max(0, FLUSH_EVERY_MS - (performance.now() - started)));
    }
  })();
  const sent = await openLoop(env, rate, (i, due) => {
    const t = targets[i % targets.length];
    const list = queued.get(t.sessionId) ?? [];
    list.push({ at: due, line: lineText(i) });
    queued.set(t.sessionId, list);
    return { sessionId: t.sessionId };
  });
  producing = false;
  await flusher;
  return { latency: summarize(latencies), loss: await checkRows(env, targets, sent) };
}

const ms = (s: LatencySummary) => `p50 ${s.p50} ms / p99 ${s.p99} ms`;

export async function benchLogsIngest(ctx: { databaseUrl: string; tenant: string }, params: LogsIngestParams, log: (m: string) => void) {
  const info = runInfo(); // the load average before the run
  process.env.DATABASE_URL = ctx.databaseUrl;
  const { LogBatcher } = await import("../lib/logs/log-batcher");
  const { disconnectDb } = await import("../lib/db/client");
  const admin = new pg.Client({ connectionString: ctx.databaseUrl });
  await admin.connect();
  const pool = new pg.Pool({ connectionString: ctx.databaseUrl, max: CONCURRENCY });
  const warnings: string[] = [];
  try {
    const tenantId = (await admin.query<{ id: string }>("SELECT id FROM tenants WHERE slug = $1", [ctx.tenant])).rows[0].id;
    const env: Env = {
      admin, pool, tenantId, params, warnings,
      newBatcher: (o) => new LogBatcher({ flushEveryMs: FLUSH_EVERY_MS, concurrency: CONCURRENCY, log: (m) => warnings.push(`batcher: ${m}`), ...o }),
    };
    log(`logs-ingest: batcher flat out, ${params.sessions} sessions, ${(params.warmupMs + params.sustainedMs) / 1000} s`);
    const batcher = await batcherFlatOut(env);
    const batchSize = Math.max(1, Math.round(batcher.meanBatch));
    log(`logs-ingest: raw pg INSERT flat out, batches of ${batchSize}, ${CONCURRENCY} connections`);
    const raw = await rawFlatOut(env, batchSize);
    const loads = [];
    for (const fraction of params.loadFractions) {
      const rate = Math.max(100, Math.round(batcher.rate * fraction));
      log(`logs-ingest: batcher, then raw pg every ${FLUSH_EVERY_MS} ms, at ${rate} lines/s (${fraction} of the sustained rate) for ${params.loadMs / 1000} s`);
      const b = await batcherAtLoad(env, rate);
      const r = await rawAtLoad(env, rate);
      loads.push({
        fraction, offeredLinesPerSec: rate,
        batcherCommitLatencyMs: roundSummary(b.latency, 1), rawCommitLatencyMs: roundSummary(r.latency, 1),
        p50Ratio: round(ratio(b.latency.p50, r.latency.p50) ?? NaN), p99Ratio: round(ratio(b.latency.p99, r.latency.p99) ?? NaN),
        batcher: { ...b.loss, dropped: b.dropped, pushesAnsweredFull: b.heldBack }, raw: r.loss,
        summary: `  commit latency at ${rate} lines/s (${fraction}×): batcher ${ms(b.latency)} vs raw ${ms(r.latency)}`,
      });
    }
    const valid = batcher.loss.zeroLoss && raw.loss.zeroLoss && loads.every((l) => l.batcher.zeroLoss && l.raw.zeroLoss && l.batcher.dropped === 0);
    const result = {
      name: "logs-ingest",
      ...info,
      loadAverageAfter: os.loadavg().map((x) => Math.round(x * 100) / 100),
      parameters: {
        ...params, flushEveryMs: FLUSH_EVERY_MS, concurrency: CONCURRENCY, lineBytes: Buffer.byteLength(lineText(123456)),
        latency: "line handed to the batcher (its due time in the open loop) → the batch's transaction committed",
        database: "embedded Postgres, fresh temp data directory, same host",
      },
      sustained: {
        batcherLinesPerSec: round(batcher.rate, 0), rawInsertLinesPerSec: round(raw.rate, 0), ratio: round(ratio(batcher.rate, raw.rate) ?? NaN),
        batcherMeanBatchLines: round(batcher.meanBatch, 1), rawBatchLines: batchSize, batcher: batcher.loss, raw: raw.loss,
      },
      atFixedLoad: loads.map(({ summary: _, ...l }) => l),
      valid, warnings, failures: valid ? [] : ["lines were lost or dropped (see the zeroLoss checks)"],
    };
    const file = writeResult("logs-ingest", result);
    const lines = [
      `  sustained, zero loss ${batcher.loss.zeroLoss}: batcher ${Math.round(batcher.rate)} lines/s vs raw pg INSERT ${Math.round(raw.rate)} lines/s → ${result.sustained.ratio}`,
      ...loads.map((l) => l.summary),
      `  stored = sent in every phase: ${valid}`,
    ];
    return { result, file, lines };
  } finally {
    await pool.end().catch(() => {});
    await admin.end().catch(() => {});
    await disconnectDb();
  }
}
