// `npm run bench -- usage-rollup`: the hourly usage rollup over 10,000 sessions whose timelines
// add up to 10 million state-interval seconds (1,000 s each: running, paused, hibernated with a
// snapshot, woken, terminated, across hour boundaries), written straight into the bench database.
// Measured: one full rollup run (lib/usage rollupUsage, as the scheduler runs it, from the first
// hour of the data) and a re-run (which must change nothing). Baseline, same run: a brute-force
// recount that reads the same rows and walks every second of every timeline in plain JS. The
// result is valid when the rollup's totals equal the recount exactly: per tenant, meter and hour
// for the session meters, per tenant for snapshot storage.
import os from "node:os";
import { performance } from "node:perf_hooks";
import pg from "pg";
import { newId } from "../lib/ids";
import { runInfo, writeResult } from "./lib/results";
import { ratio, round } from "./lib/stats";
import { bruteForceRecount, generateTimelines, type GeneratedSession, type GeneratedSnapshot } from "./usage-rollup-timelines";
import { knob as clampedKnob } from "./lib/knob";

const knob = (name: string, fallback: number, min: number, max: number) => clampedKnob(name, fallback, min, max, { integer: true });

export type UsageRollupParams = { sessions: number; secondsPerSession: number; tenants: number; spreadHours: number; batchSize: number; seed: number };


export function usageRollupParams(): UsageRollupParams {
  return {
    sessions: knob("BENCH_USAGE_SESSIONS", 10_000, 100, 20_000),
    secondsPerSession: knob("BENCH_USAGE_SECONDS", 1_000, 100, 3_600),
    tenants: knob("BENCH_USAGE_TENANTS", 20, 1, 200),
    spreadHours: 6,
    batchSize: knob("BENCH_USAGE_BATCH", 1_000, 50, 5_000),
    seed: knob("BENCH_USAGE_SEED", 20261123, 0, 2 ** 31),
  };
}

const HOUR_MS = 3_600_000;
const ts = (s: number) => new Date(s * 1000).toISOString();

async function insertData(client: pg.Client, tenantIds: string[], sessions: GeneratedSession[], snapshots: GeneratedSnapshot[]) {
  await client.query("INSERT INTO tenants (id, slug, name) SELECT id, 'bench-usage-' || id, 'Bench usage ' || id FROM unnest($1::text[]) AS t(id)", [tenantIds]);
  for (let i = 0; i < sessions.length; i += 2000) {
    const chunk = sessions.slice(i, i + 2000);
    await client.query(
      `INSERT INTO sessions (id, tenant_id, template_name, rootfs, state, desired_state, vcpu, memory_mib, disk_mib, gpus, max_lifetime_seconds, terminated_at)
       SELECT id, tenant_id, 'bench-' || (vcpu * 4)::int, '{}', 'terminated', 'terminated', vcpu, memory_mib, 1024, gpus, 86400, terminated_at
       FROM unnest($1::text[], $2::text[], $3::float8[], $4::int[], $5::int[], $6::timestamp[]) AS t(id, tenant_id, vcpu, memory_mib, gpus, terminated_at)`,
      [chunk.map((s) => s.id), chunk.map((s) => s.tenantId), chunk.map((s) => s.vcpu), chunk.map((s) => s.memoryMib), chunk.map((s) => s.gpus),
        chunk.map((s) => ts(s.events.at(-1)!.atS).replace("Z", ""))],
    );
    const events = chunk.flatMap((s) => s.events.map((e, k) => ({ ...e, sessionId: s.id, tenantId: s.tenantId, fromState: k ? s.events[k - 1].toState : null })));
    await client.query(
      `INSERT INTO session_events (id, tenant_id, session_id, from_state, to_state, cause, created_at)
       SELECT id, tenant_id, session_id, from_state, to_state, 'api', created_at
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamp[]) AS t(id, tenant_id, session_id, from_state, to_state, created_at)`,
      [events.map((e) => e.id), events.map((e) => e.tenantId), events.map((e) => e.sessionId), events.map((e) => e.fromState), events.map((e) => e.toState),
        events.map((e) => ts(e.atS).replace("Z", ""))],
    );
  }
  await client.query(
    `INSERT INTO snapshots (id, tenant_id, session_id, reason, status, stored_bytes, created_at, deleted_at)
     SELECT id, tenant_id, session_id, 'hibernate', 'deleted', stored_bytes, created_at, deleted_at
     FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::timestamp[], $6::timestamp[]) AS t(id, tenant_id, session_id, stored_bytes, created_at, deleted_at)`,
    [snapshots.map((s) => s.id), snapshots.map((s) => s.tenantId), snapshots.map((s) => s.sessionId), snapshots.map((s) => s.storedBytes.toString()),
      snapshots.map((s) => ts(s.createdS).replace("Z", "")), snapshots.map((s) => ts(s.deletedS).replace("Z", ""))],
  );
}

/** The same rows the rollup read, read back by the baseline with its own query. */
async function readBack(client: pg.Client, tenantIds: string[]) {
  const events = await client.query<{ session_id: string; tenant_id: string; id: string; to_state: string; at_s: string }>(
    "SELECT session_id, tenant_id, id, to_state, extract(epoch FROM created_at)::bigint AS at_s FROM session_events WHERE tenant_id = ANY($1)", [tenantIds]);
  const resources = await client.query<{ id: string; vcpu: number; memory_mib: number; gpus: number }>(
    "SELECT id, vcpu, memory_mib, gpus FROM sessions WHERE tenant_id = ANY($1)", [tenantIds]);
  const snaps = await client.query<{ id: string; tenant_id: string; session_id: string; stored_bytes: string; created_s: string; deleted_s: string }>(
    "SELECT id, tenant_id, session_id, stored_bytes, extract(epoch FROM created_at)::bigint AS created_s, extract(epoch FROM deleted_at)::bigint AS deleted_s FROM snapshots WHERE tenant_id = ANY($1)",
    [tenantIds]);
  const byId = new Map<string, GeneratedSession>(resources.rows.map((r) => [r.id, { id: r.id, tenantId: "", vcpu: r.vcpu, memoryMib: r.memory_mib, gpus: r.gpus, events: [] }]));
  for (const e of events.rows) {
    const s = byId.get(e.session_id)!;
    s.tenantId = e.tenant_id;
    s.events.push({ id: e.id, toState: e.to_state, atS: Number(e.at_s) });
  }
  const snapshots = snaps.rows.map((r) => ({ id: r.id, tenantId: r.tenant_id, sessionId: r.session_id, storedBytes: BigInt(r.stored_bytes), createdS: Number(r.created_s), deletedS: Number(r.deleted_s) }));
  return { sessions: [...byId.values()], snapshots };
}

export async function benchUsageRollup(ctx: { databaseUrl: string }, params: UsageRollupParams, log: (m: string) => void) {
  const info = runInfo();
  process.env.DATABASE_URL = ctx.databaseUrl;
  const { rollupUsage } = await import("../lib/usage/rollup-usage");
  const { parseQuantity } = await import("../lib/usage/quantity");
  const { disconnectDb } = await import("../lib/db/client");
  const client = new pg.Client({ connectionString: ctx.databaseUrl });
  await client.connect();
  try {
    const baseMs = Math.floor(Date.now() / HOUR_MS) * HOUR_MS - (params.spreadHours + 3) * HOUR_MS;
    const tenantIds = Array.from({ length: params.tenants }, () => newId("ten"));
    const generated = generateTimelines({
      count: params.sessions, lifeS: params.secondsPerSession, baseS: baseMs / 1000 + 17, spreadS: params.spreadHours * 3600,
      tenantIds, seed: params.seed, newId: (prefix, ms) => newId(prefix, ms),
    });
    const stateIntervalSeconds = generated.sessions.reduce((a, s) => a + s.events.at(-1)!.atS - s.events[0].atS, 0);
    const eventCount = generated.sessions.reduce((a, s) => a + s.events.length, 0);
    log(`usage-rollup: writing ${params.sessions} sessions (${eventCount} events, ${stateIntervalSeconds} state-interval seconds) and ${generated.snapshots.length} snapshots`);
    await insertData(client, tenantIds, generated.sessions, generated.snapshots);
    await client.query("ANALYZE sessions; ANALYZE session_events; ANALYZE snapshots; ANALYZE usage_hours");

    log("usage-rollup: full rollup run");
    const from = new Date(baseMs);
    let t0 = performance.now();
    const first = await rollupUsage({ from, batchSize: params.batchSize });
    const rollupMs = performance.now() - t0;
    log("usage-rollup: re-run");
    t0 = performance.now();
    const rerun = await rollupUsage({ from, batchSize: params.batchSize });
    const rerunMs = performance.now() - t0;
    // What the scheduler does every minute afterwards: from closedThrough, so only what is still open.
    t0 = performance.now();
    const regular = await rollupUsage({ batchSize: params.batchSize });
    const regularMs = performance.now() - t0;

    log("usage-rollup: brute-force recount (every second of every timeline)");
    t0 = performance.now();
    const readBackData = await readBack(client, tenantIds);
    const brute = bruteForceRecount(readBackData.sessions, readBackData.snapshots, 2 * (stateIntervalSeconds + generated.snapshots.length * 20_000));
    const bruteMs = performance.now() - t0;

    const rolled = await client.query<{ tenant_id: string; meter: string; hour_s: string; quantity: string }>(
      `SELECT tenant_id, meter, extract(epoch FROM hour)::bigint AS hour_s, SUM(quantity)::text AS quantity
       FROM usage_hours WHERE tenant_id = ANY($1) GROUP BY 1, 2, 3`, [tenantIds]);
    const rolledCells = new Map<string, bigint>();
    const rolledSnapshots = new Map<string, bigint>();
    for (const r of rolled.rows) {
      const micro = parseQuantity(r.quantity);
      if (r.meter === "snapshot_gib_hours") rolledSnapshots.set(r.tenant_id, (rolledSnapshots.get(r.tenant_id) ?? 0n) + micro);
      else rolledCells.set(`${r.tenant_id}|${r.meter}|${r.hour_s}`, micro);
    }
    const mismatches: string[] = [];
    for (const key of new Set([...rolledCells.keys(), ...brute.cells.keys()])) {
      if (rolledCells.get(key) !== brute.cells.get(key)) mismatches.push(`${key}: rollup ${rolledCells.get(key)} vs recount ${brute.cells.get(key)} micro-units`);
    }
    for (const t of new Set([...rolledSnapshots.keys(), ...brute.snapshotTotals.keys()])) {
      if (rolledSnapshots.get(t) !== brute.snapshotTotals.get(t)) mismatches.push(`${t}|snapshot_gib_hours: rollup ${rolledSnapshots.get(t)} vs recount ${brute.snapshotTotals.get(t)}`);
    }
    const totals = Object.fromEntries(["vcpu_seconds", "memory_gib_seconds", "gpu_seconds"].map((m) => [m,
      [...rolledCells].filter(([k]) => k.includes(`|${m}|`)).reduce((a, [, v]) => a + v, 0n) / 1_000_000n]));
    const rerunChangedNothing = rerun.written === 0 && rerun.deleted === 0;
    const equal = mismatches.length === 0 && rolledCells.size > 0;
    const valid = equal && rerunChangedNothing;
    const result = {
      name: "usage-rollup",
      ...info,
      loadAverageAfter: os.loadavg().map((x) => Math.round(x * 100) / 100),
      parameters: { ...params, database: "embedded Postgres, fresh temp data directory, same host", rollup: "rollupUsage({ from: first hour of the data }): every tenant, as the scheduler's job" },
      generated: { sessions: params.sessions, events: eventCount, snapshots: generated.snapshots.length, stateIntervalSeconds, tenants: params.tenants },
      rollup: {
        ms: round(rollupMs, 0), subjects: first.sessions + first.snapshots, rowsWritten: first.written,
        stateSecondsPerSecond: round(stateIntervalSeconds / (rollupMs / 1000), 0),
      },
      rerun: { ms: round(rerunMs, 0), written: rerun.written, deleted: rerun.deleted, changedNothing: rerunChangedNothing },
      regularRunAfter: { ms: round(regularMs, 0), from: regular.from.toISOString(), subjects: regular.sessions + regular.snapshots, written: regular.written },
      bruteForce: { ms: round(bruteMs, 0), secondsWalked: brute.walked, includes: "reading the rows back and walking every second in JS (no writes)" },
      rollupToBruteForce: round(ratio(rollupMs, bruteMs) ?? NaN, 2),
      result: {
        equal, cellsCompared: rolledCells.size, snapshotTenantsCompared: rolledSnapshots.size, mismatches: mismatches.slice(0, 10),
        wholeUnits: Object.fromEntries(Object.entries(totals).map(([k, v]) => [k, v.toString()])),
      },
      valid,
      failures: [...(equal ? [] : ["the rollup's totals differ from the brute-force recount"]), ...(rerunChangedNothing ? [] : ["re-running the rollup changed rows"])],
      warnings: info.loadAverage[0] > info.cpuCount / 2 ? [`the machine was busy before the run (1-min load ${info.loadAverage[0]})`] : [],
    };
    const file = writeResult("usage-rollup", result);
    const lines = [
      `  ${params.sessions} sessions, ${stateIntervalSeconds} state-interval seconds, ${generated.snapshots.length} snapshots`,
      `  rollup ${result.rollup.ms} ms (${first.written} rows) vs brute-force recount ${result.bruteForce.ms} ms → ${result.rollupToBruteForce}×; re-run ${result.rerun.ms} ms, changed nothing: ${rerunChangedNothing}`,
      `  the scheduler's next regular run (from closedThrough): ${result.regularRunAfter.ms} ms, ${result.regularRunAfter.subjects} subjects`,
      `  equal to the recount (${rolledCells.size} tenant-hour-meter cells, ${rolledSnapshots.size} snapshot totals): ${equal}`,
    ];
    return { result, file, lines };
  } finally {
    await client.end().catch(() => {});
    await disconnectDb();
  }
}
