// `npm run bench -- logs-ingest`: how many log lines per second the runner's writer (LogBatcher →
// appendSessionLogs: sequence range, one INSERT and one NOTIFY per session per flush) commits with
// zero loss, and the commit latency (line handed to the batcher → its transaction committed) at a
// fixed offered load below that. Baseline, same run, same lines, same table: raw `pg` multi-row
// INSERTs (the same unnest statement, sequence numbers from the client, no counter row, no
// NOTIFY, no Prisma), once flat out with the batcher's batch size and concurrency, once with the
// batcher's own policy (every 50 ms) at the same offered load. Runs in the bench process against
// the bench database; no server or sandbox involved.
import pg from "pg";
import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import { ratio, round, roundSummary, summarize } from "./lib/stats";
import { runInfo, writeResult } from "./lib/results";

export type LogsIngestParams = {
  sessions: number;
  warmupMs: number;
  sustainedMs: number;
  loadMs: number;
  /** The fixed offered load as a fraction of the batcher's sustained rate. */
  loadFraction: number;
  /** Lines per phase at most (keeps the table, and the run, bounded). */
  maxLinesPerPhase: number;
};

function knob(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new Error(`${name} must be a number`);
  return Math.min(max, Math.max(min, value));
}

export function logsIngestParams(): LogsIngestParams {
  return {
    sessions: Math.round(knob("BENCH_INGEST_SESSIONS", 8, 1, 64)),
    warmupMs: knob("BENCH_INGEST_WARMUP_S", 1, 0, 5) * 1000,
    sustainedMs: knob("BENCH_INGEST_DURATION_S", 8, 2, 12) * 1000,
    loadMs: knob("BENCH_INGEST_LOAD_S", 8, 2, 12) * 1000,
    loadFraction: knob("BENCH_INGEST_LOAD_FRACTION", 0.7, 0.1, 1),
    maxLinesPerPhase: Math.round(knob("BENCH_INGEST_MAX_LINES", 3_000_000, 10_000, 5_000_000)),
  };
}

type Target = { tenantId: string; sessionId: string };
const FLUSH_EVERY_MS = 50;
const CONCURRENCY = 4;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const yieldToLoop = () => new Promise((r) => setImmediate(r));

/** A typical ~110-byte application log line; every one different. */
const lineText = (i: number) =>
  `2026-11-23T10:00:00.000Z INFO worker-${i % 16} handled request id=${String(i).padStart(9, "0")} path=/api/items/${i % 977} status=200 ms=${i % 250}`;

async function createSessions(client: pg.Client, tenantId: string, n: number, label: string): Promise<Target[]> {
  const targets: Target[] = [];
  for (let i = 0; i < n; i++) {
    const id = `ses_BENCH${label}${randomBytes(8).toString("hex").toUpperCase()}`;
    await client.query(
      `INSERT INTO sessions (id, tenant_id, template_name, rootfs, state, vcpu, memory_mib, disk_mib, max_lifetime_seconds)
       VALUES ($1, $2, 'base', '{}', 'running', 1, 256, 1024, 86400)`,
      [id, tenantId],
    );
    targets.push({ tenantId, sessionId: id });
  }
  return targets;
}

/** Rows per session against what was sent: zero loss means every count matches and seq is 1..count. */
async function checkRows(client: pg.Client, targets: Target[], sentPerSession: Map<string, number>) {
  const { rows } = await client.query<{ session_id: string; n: number; lo: number; hi: number }>(
    "SELECT session_id, count(*)::int AS n, min(seq)::int AS lo, max(seq)::int AS hi FROM session_logs WHERE session_id = ANY($1) GROUP BY session_id",
    [targets.map((t) => t.sessionId)],
  );
  const sent = [...sentPerSession.values()].reduce((a, b) => a + b, 0);
  const stored = rows.reduce((a, r) => a + r.n, 0);
  const contiguous = rows.every((r) => r.lo === 1 && r.hi === r.n);
  const matches = targets.every((t) => (rows.find((r) => r.session_id === t.sessionId)?.n ?? 0) === (sentPerSession.get(t.sessionId) ?? 0));
  return { sent, stored, lost: sent - stored, contiguous, zeroLoss: matches && contiguous && sent === stored };
}

export async function benchLogsIngest(ctx: { databaseUrl: string; tenant: string }, params: LogsIngestParams, log: (m: string) => void) {
  process.env.DATABASE_URL = ctx.databaseUrl;
  const { LogBatcher } = await import("../lib/logs/log-batcher");
  const { disconnectDb } = await import("../lib/db/client");
  const admin = new pg.Client({ connectionString: ctx.databaseUrl });
  await admin.connect();
  const pool = new pg.Pool({ connectionString: ctx.databaseUrl, max: CONCURRENCY });
  const warnings: string[] = [];
  try {
    const tenantId = (await admin.query<{ id: string }>("SELECT id FROM tenants WHERE slug = $1", [ctx.tenant])).rows[0].id;
    const S = params.sessions;

    // 1. The batcher flat out: producers push as fast as it takes lines, waiting when it is full.
    log(`logs-ingest: batcher, closed loop, ${S} sessions, ${(params.warmupMs + params.sustainedMs) / 1000} s`);
    const batchTargets = await createSessions(admin, tenantId, S, "A");
    let committed = 0;
    let batches = 0;
    const batcher = new LogBatcher({
      flushEveryMs: FLUSH_EVERY_MS, concurrency: CONCURRENCY, log: (m) => warnings.push(`batcher: ${m}`),
      onCommitted: (_t, lines) => {
        committed += lines.length;
        batches++;
      },
    });
    const sentA = new Map<string, number>();
    let pushed = 0;
    let heldBack = 0;
    const startA = performance.now();
    let windowA: { c0: number; t0: number } | null = null;
    while (performance.now() - startA < params.warmupMs + params.sustainedMs && pushed < params.maxLinesPerPhase) {
      if (!windowA && performance.now() - startA >= params.warmupMs) windowA = { c0: committed, t0: performance.now() };
      for (let k = 0; k < 200; k++, pushed++) {
        const t = batchTargets[pushed % S];
        sentA.set(t.sessionId, (sentA.get(t.sessionId) ?? 0) + 1);
        if (!batcher.push(t, { stream: "stdout", source: "bench", at: new Date(), line: lineText(pushed) })) {
          heldBack++;
          await batcher.whenWritable();
        }
      }
      await yieldToLoop();
    }
    const sustainedRate = windowA ? ((committed - windowA.c0) * 1000) / (performance.now() - windowA.t0) : NaN;
    const meanBatch = committed / Math.max(1, batches);
    await batcher.close(30_000);
    const lossA = await checkRows(admin, batchTargets, sentA);

    // 2. Baseline flat out: raw pg, same statement shape, the batcher's mean batch size and concurrency.
    const batchSize = Math.max(1, Math.round(meanBatch));
    log(`logs-ingest: raw pg INSERT, closed loop, batches of ${batchSize}, ${CONCURRENCY} connections`);
    const rawTargets = await createSessions(admin, tenantId, S, "B");
    const seqs = new Map(rawTargets.map((t) => [t.sessionId, 0]));
    const sentB = new Map<string, number>();
    let rawCommitted = 0;
    let rawLine = 0;
    const insertRaw = async (t: Target, lines: { at: Date; line: string }[]) => {
      const first = seqs.get(t.sessionId)! + 1;
      seqs.set(t.sessionId, first + lines.length - 1);
      sentB.set(t.sessionId, (sentB.get(t.sessionId) ?? 0) + lines.length);
      await pool.query(
        `INSERT INTO session_logs (session_id, seq, tenant_id, stream, source, at, line)
         SELECT $1, $2::bigint + ord - 1, $3, stream, source, at, line
         FROM unnest($4::text[], $5::text[], $6::timestamptz[], $7::text[]) WITH ORDINALITY AS t(stream, source, at, line, ord)`,
        [t.sessionId, first, t.tenantId, lines.map(() => "stdout"), lines.map(() => "bench"), lines.map((l) => l.at), lines.map((l) => l.line)],
      );
    };
    const startB = performance.now();
    const windowB = { c0: 0, t0: 0, open: false };
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async (_, w) => {
        for (let n = 0; performance.now() - startB < params.warmupMs + params.sustainedMs && rawLine < params.maxLinesPerPhase; n++) {
          if (!windowB.open && performance.now() - startB >= params.warmupMs) Object.assign(windowB, { c0: rawCommitted, t0: performance.now(), open: true });
          const lines = Array.from({ length: batchSize }, () => ({ at: new Date(), line: lineText(rawLine++) }));
          await insertRaw(rawTargets[(w + n * CONCURRENCY) % S], lines);
          rawCommitted += lines.length;
        }
      }),
    );
    const rawRate = windowB.open ? ((rawCommitted - windowB.c0) * 1000) / (performance.now() - windowB.t0) : NaN;
    const lossB = await checkRows(admin, rawTargets, sentB);

    // 3. The batcher at a fixed offered load: open loop, lines stamped with their due time.
    const rate = Math.max(100, Math.round(sustainedRate * params.loadFraction));
    log(`logs-ingest: batcher at ${rate} lines/s offered for ${params.loadMs / 1000} s`);
    const loadTargets = await createSessions(admin, tenantId, S, "C");
    const latencies: number[] = [];
    let measureFrom = Infinity;
    const loadBatcher = new LogBatcher({
      flushEveryMs: FLUSH_EVERY_MS, concurrency: CONCURRENCY, log: (m) => warnings.push(`batcher: ${m}`),
      onCommitted: (_t, lines, at) => {
        for (const l of lines) if (l.at.getTime() >= measureFrom) latencies.push(at - l.at.getTime());
      },
    });
    const sentC = await openLoop(rate, params, (i, due) => {
      const t = loadTargets[i % S];
      if (!loadBatcher.push(t, { stream: "stdout", source: "bench", at: due, line: lineText(i) })) heldBack++;
      return t.sessionId;
    }, (from) => (measureFrom = from));
    await loadBatcher.close(30_000);
    const batcherLatency = summarize(latencies);
    const lossC = await checkRows(admin, loadTargets, sentC);
    const loadDropped = loadBatcher.stats().droppedLines;

    // 4. Baseline at the same load: the same 50 ms group commit, with raw pg.
    log(`logs-ingest: raw pg INSERT every ${FLUSH_EVERY_MS} ms at ${rate} lines/s`);
    const rawLoadTargets = await createSessions(admin, tenantId, S, "D");
    for (const t of rawLoadTargets) seqs.set(t.sessionId, 0);
    sentB.clear();
    const rawLatencies: number[] = [];
    let queued = new Map<string, { at: Date; line: string }[]>();
    let producing = true;
    const flusher = (async () => {
      while (producing || queued.size > 0) {
        const started = performance.now();
        const now = queued;
        queued = new Map();
        const work = [...now.entries()];
        await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
          for (let e = work.shift(); e; e = work.shift()) {
            const t = rawLoadTargets.find((x) => x.sessionId === e![0])!;
            await insertRaw(t, e[1]);
            const at = Date.now();
            for (const l of e[1]) if (l.at.getTime() >= measureFrom) rawLatencies.push(at - l.at.getTime());
          }
        }));
        await sleep(Math.max(0, FLUSH_EVERY_MS - (performance.now() - started)));
      }
    })();
    await openLoop(rate, params, (i, due) => {
      const t = rawLoadTargets[i % S];
      const list = queued.get(t.sessionId) ?? [];
      list.push({ at: due, line: lineText(i) });
      queued.set(t.sessionId, list);
      return t.sessionId;
    }, (from) => (measureFrom = from));
    producing = false;
    await flusher;
    const rawLatency = summarize(rawLatencies);
    const lossD = await checkRows(admin, rawLoadTargets, sentB);

    const valid = lossA.zeroLoss && lossC.zeroLoss && lossB.zeroLoss && lossD.zeroLoss && loadDropped === 0;
    if (heldBack > 0) warnings.push(`producers were held back by a full buffer ${heldBack} times (expected in the closed loop)`);
    const result = {
      name: "logs-ingest",
      ...runInfo(),
      parameters: { ...params, flushEveryMs: FLUSH_EVERY_MS, concurrency: CONCURRENCY, lineBytes: Buffer.byteLength(lineText(123456)), database: "embedded Postgres, fresh temp data directory, same host" },
      sustained: {
        batcherLinesPerSec: round(sustainedRate, 0), rawInsertLinesPerSec: round(rawRate, 0), ratio: round(ratio(sustainedRate, rawRate) ?? NaN),
        batcherMeanBatchLines: round(meanBatch, 1), rawBatchLines: batchSize, batcher: lossA, raw: lossB,
      },
      atFixedLoad: {
        offeredLinesPerSec: rate,
        batcherCommitLatencyMs: roundSummary(batcherLatency, 1), rawCommitLatencyMs: roundSummary(rawLatency, 1),
        p50Ratio: round(ratio(batcherLatency.p50, rawLatency.p50) ?? NaN), p99Ratio: round(ratio(batcherLatency.p99, rawLatency.p99) ?? NaN),
        batcher: { ...lossC, dropped: loadDropped }, raw: lossD,
      },
      valid, warnings, failures: valid ? [] : ["lines were lost (see the zeroLoss checks)"],
    };
    const file = writeResult("logs-ingest", result);
    const lines = [
      `  sustained (zero loss: ${lossA.zeroLoss}): batcher ${Math.round(sustainedRate)} lines/s vs raw pg INSERT ${Math.round(rawRate)} lines/s → ${result.sustained.ratio}`,
      `  commit latency at ${rate} lines/s: batcher p50 ${batcherLatency.p50} ms / p99 ${batcherLatency.p99} ms vs raw p50 ${rawLatency.p50} ms / p99 ${rawLatency.p99} ms`,
      `  stored = sent in every phase: ${valid} (${lossA.stored + lossC.stored} lines through the batcher)`,
    ];
    return { result, file, lines };
  } finally {
    await pool.end().catch(() => {});
    await admin.end().catch(() => {});
    await disconnectDb();
  }
}

/**
 * Sends `rate` lines per second for warmup + loadMs: line i is due at start + i/rate and stamped
 * with that time, so a producer that falls behind shows up in the latency. `markFrom` is called
 * with the time after which latencies count (the warm-up is left out).
 */
async function openLoop(rate: number, params: LogsIngestParams, send: (i: number, due: Date) => string, markFrom: (ms: number) => void) {
  const sent = new Map<string, number>();
  const start = Date.now();
  markFrom(start + params.warmupMs);
  const total = Math.min(params.maxLinesPerPhase, Math.floor((rate * (params.warmupMs + params.loadMs)) / 1000));
  let i = 0;
  while (i < total) {
    const dueNow = Math.min(total, Math.floor(((Date.now() - start) * rate) / 1000));
    for (; i < dueNow; i++) {
      const sessionId = send(i, new Date(start + (i * 1000) / rate));
      sent.set(sessionId, (sent.get(sessionId) ?? 0) + 1);
    }
    await sleep(2);
  }
  return sent;
}
