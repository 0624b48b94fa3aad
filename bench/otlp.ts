// `npm run bench -- otlp`: OTLP/HTTP protobuf ingestion on the production server.
//   1. throughput: `exporters` concurrent exporters in a closed loop, each POSTing batches of
//      `batchSpans` spans (fresh ids every batch, joined to a session) to /api/otlp/v1/traces;
//      every accepted span is then counted in the table (zero loss);
//   2. latency until queryable: a batch is POSTed, and from the moment the POST returns,
//      GET /api/v1/traces/{id} is polled until the trace is complete, idle and under load;
//   3. baseline, same run, same spans, same table: raw `pg` multi-row INSERT … ON CONFLICT DO
//      NOTHING of the same rows, same concurrency, same duration.
// Figures are spans/s and app / baseline ratios.
import { performance } from "node:perf_hooks";
import pg from "pg";
import { runClosedLoop, type ClosedLoopResult } from "./lib/closed-loop";
import { createHttpClient } from "./lib/http-client";
import { runInfo, writeResult } from "./lib/results";
import { ratio, round, roundSummary, summarize } from "./lib/stats";
import { createPostClient } from "./otlp/post-client";
import { spanBatchFactory } from "./otlp/span-batches";
import { knob } from "./lib/knob";

export type OtlpParams = { exporters: number; batchSpans: number; spansPerTrace: number; warmupMs: number; durationMs: number; latencySamples: number };
export type OtlpTarget = { serverUrl: string; databaseUrl: string; apiKey: string; tenant: string; nextBuildId: string };


export function otlpParams(): OtlpParams {
  return {
    exporters: Math.round(knob("BENCH_OTLP_EXPORTERS", 4, 1, 32)),
    batchSpans: Math.round(knob("BENCH_OTLP_BATCH", 512, 8, 4096)),
    spansPerTrace: 8,
    warmupMs: knob("BENCH_OTLP_WARMUP_S", 2, 0, 10) * 1000,
    durationMs: knob("BENCH_OTLP_DURATION_S", 10, 2, 30) * 1000,
    latencySamples: Math.round(knob("BENCH_OTLP_LATENCY_SAMPLES", 40, 5, 200)),
  };
}

const COLUMNS = "tenant_id, trace_id, span_id, parent_span_id, session_id, name, kind, source, service_name, start_ns, end_ns, status_code, status_message, attributes, events, resource";
const MAX_WORKER_BATCHES = 2000; // bounds every loop in count as well as time

export async function benchOtlp(target: OtlpTarget, params: OtlpParams, log: (m: string) => void, signal?: AbortSignal) {
  const failures: string[] = [];
  const warnings: string[] = [];
  const admin = new pg.Client({ connectionString: target.databaseUrl });
  await admin.connect();
  const pool = new pg.Pool({ connectionString: target.databaseUrl, max: params.exporters });
  const client = createPostClient({ baseUrl: target.serverUrl, maxSockets: params.exporters + 1 });
  const reader = createHttpClient({ baseUrl: target.serverUrl, maxSockets: 2 });
  const auth = { authorization: `Bearer ${target.apiKey}` };
  try {
    const tenantId = (await admin.query<{ id: string }>("SELECT id FROM tenants WHERE slug = $1", [target.tenant])).rows[0].id;
    const sessionId = `ses_BENCHOTLP${Date.now().toString(36).toUpperCase().padStart(17, "0").slice(-17)}`;
    await admin.query(
      `INSERT INTO sessions (id, tenant_id, template_name, rootfs, state, vcpu, memory_mib, disk_mib, max_lifetime_seconds) VALUES ($1, $2, 'base', '{}', 'running', 1, 256, 1024, 86400)`,
      [sessionId, tenantId],
    );
    const batches = spanBatchFactory({ spans: params.batchSpans, spansPerTrace: params.spansPerTrace }, sessionId);
    const spansStored = async () => Number((await admin.query("SELECT count(*) AS n FROM spans WHERE tenant_id = $1 AND source = 'otlp'", [tenantId])).rows[0].n);
    const headers = { ...auth, "content-type": "application/x-protobuf" };

    let accepted = 0;
    const exportOne = async () => {
      const { body, traceIds } = batches.next();
      const res = await client.post("/api/otlp/v1/traces", body, headers);
      // A full success is an empty ExportTraceServiceResponse: any bytes mean partial_success.
      if (res.status !== 200 || res.body.length > 0) throw new Error(`HTTP ${res.status} ${res.body.toString("utf8").slice(0, 200)}`);
      accepted += params.batchSpans;
      return traceIds;
    };
    const isComplete = async (traceId: string) => {
      const res = await reader.request(`/api/v1/traces/${traceId}`, auth);
      return res.status === 200 && (JSON.parse(res.body) as { spans: unknown[] }).spans.length === params.spansPerTrace;
    };

    // Check once that a batch is accepted whole and readable before timing anything.
    const probe = await exportOne();
    if (!(await isComplete(probe[0]))) throw new Error("a probe batch was not readable through GET /api/v1/traces/{id}");

    log(`app: ${params.exporters} exporters, batches of ${params.batchSpans} spans (${batches.bytesPerBatch} bytes protobuf), ${params.warmupMs} + ${params.durationMs} ms`);
    const app = await runClosedLoop({ concurrency: params.exporters, warmupMs: params.warmupMs, durationMs: params.durationMs, maxRequestsPerWorker: MAX_WORKER_BATCHES, op: async () => void (await exportOne()), signal });
    const appSpansPerSec = app.throughput * params.batchSpans;
    log(`app: ${appSpansPerSec.toFixed(0)} spans/s, ${app.errors} errors`);
    const acceptedByApp = accepted;
    const stored = await spansStored();
    if (stored !== acceptedByApp) failures.push(`zero loss: ${acceptedByApp} spans accepted, ${stored} stored`);

    const latency = async (label: string) => {
      const samples: number[] = [];
      const polls: number[] = [];
      for (let i = 0; i < params.latencySamples && !signal?.aborted; i++) {
        const [traceId] = await exportOne();
        const returned = performance.now();
        let reads = 0;
        while (!(await isComplete(traceId))) if (++reads > 200) throw new Error(`trace ${traceId} not readable after 200 reads`);
        samples.push(performance.now() - returned);
        polls.push(reads + 1);
      }
      log(`latency until queryable (${label}): p50 ${summarize(samples).p50.toFixed(2)} ms`);
      return { latencyMs: roundSummary(summarize(samples)), readsNeeded: roundSummary(summarize(polls)) };
    };
    const idle = await latency("idle");
    // The same under load: exporters - 1 others keep posting meanwhile.
    let loading = true;
    const background = Promise.all(Array.from({ length: Math.max(1, params.exporters - 1) }, async () => {
      for (let i = 0; loading && i < MAX_WORKER_BATCHES; i++) await exportOne().catch(() => {});
    }));
    const loaded = await latency("under load").finally(() => (loading = false));
    await background;

    log(`baseline: raw pg multi-row INSERT of the same rows, pool of ${params.exporters}`);
    const placeholders = Array.from({ length: params.batchSpans }, (_, r) => `(${Array.from({ length: 16 }, (_, c) => `$${r * 16 + c + 1}`).join(", ")})`).join(", ");
    const insertSql = `INSERT INTO spans (${COLUMNS}) VALUES ${placeholders} ON CONFLICT DO NOTHING`;
    const before = await spansStored();
    let inserted = 0;
    const base = await runClosedLoop({
      concurrency: params.exporters, warmupMs: params.warmupMs, durationMs: params.durationMs, maxRequestsPerWorker: MAX_WORKER_BATCHES, signal,
      op: async () => {
        const r = await pool.query(insertSql, batches.rows(tenantId).flat());
        inserted += r.rowCount ?? 0;
      },
    });
    const baseSpansPerSec = base.throughput * params.batchSpans;
    log(`baseline: ${baseSpansPerSec.toFixed(0)} spans/s, ${base.errors} errors`);
    if ((await spansStored()) - before !== inserted) failures.push("baseline: row count does not match the inserts");

    for (const [name, r] of [["app", app], ["baseline", base]] as const) {
      if (r.errors > 0) failures.push(`${name}: ${r.errors} errors (${r.errorSamples.join("; ")})`);
    }
    const info = runInfo();
    if (info.loadAverage[0] > info.cpuCount / 2) warnings.push(`the machine was busy (1-min load ${info.loadAverage[0]} on ${info.cpuCount} CPUs); absolute figures are noisy`);
    const result = {
      name: "otlp",
      ...info,
      nextBuildId: target.nextBuildId,
      parameters: { ...params, bytesPerBatch: batches.bytesPerBatch, client: "node:http keep-alive, in the bench process", server: "next start (production build), one process" },
      app: { spansPerSec: round(appSpansPerSec, 0), batches: loopReport(app), acceptedSpans: acceptedByApp, storedSpans: stored },
      latencyUntilQueryable: { idle, underLoad: loaded, note: "from the POST returning to GET /api/v1/traces/{id} answering the whole trace" },
      baseline: { description: "raw pg multi-row INSERT … VALUES … ON CONFLICT DO NOTHING of the same rows, pg.Pool of the same size", spansPerSec: round(baseSpansPerSec, 0), batches: loopReport(base) },
      ratios: {
        throughput: round(ratio(appSpansPerSec, baseSpansPerSec) ?? NaN, 3),
        batchLatencyP50: round(ratio(app.latencyMs.p50, base.latencyMs.p50) ?? NaN, 3),
        batchLatencyP99: round(ratio(app.latencyMs.p99, base.latencyMs.p99) ?? NaN, 3),
      },
      ratiosNote: "app / baseline: spans per second, and closed-loop time per batch (POST vs INSERT)",
      valid: failures.length === 0,
      failures,
      warnings,
    };
    const file = writeResult("otlp", result);
    const lines = [
      `  app: ${result.app.spansPerSec} spans/s (${app.throughput.toFixed(1)} batches/s of ${params.batchSpans}), POST p50 ${app.latencyMs.p50.toFixed(1)} ms p99 ${app.latencyMs.p99.toFixed(1)} ms; ${acceptedByApp} accepted, ${stored} stored`,
      `  baseline raw pg INSERT: ${result.baseline.spansPerSec} spans/s, p50 ${base.latencyMs.p50.toFixed(1)} ms; app/baseline throughput ${result.ratios.throughput}`,
      `  queryable after the POST returns: idle p50 ${idle.latencyMs.p50} ms p99 ${idle.latencyMs.p99} ms; under load p50 ${loaded.latencyMs.p50} ms p99 ${loaded.latencyMs.p99} ms (reads needed: max ${loaded.readsNeeded.max})`,
    ];
    return { result, file, lines };
  } finally {
    client.close();
    reader.close();
    await pool.end().catch(() => {});
    await admin.end().catch(() => {});
  }
}

function loopReport(r: ClosedLoopResult) {
  return { perSec: round(r.throughput, 2), ok: r.ok, errors: r.errors, latencyMs: roundSummary(r.latencyMs) };
}
