// Retention: the scheduler's purge deletes each tenant's logs, metrics and spans past its retention
// days, in batches that never lock writers out; admins set the days through PATCH /tenant.
import { describe, expect, it } from "vitest";
import * as tenantRoute from "@/app/api/v1/tenant/route";
import { db } from "@/lib/db/client";
import { appendSessionLogs } from "@/lib/logs/append-session-logs";
import { purgeExpiredTelemetry } from "@/lib/retention/purge-expired-telemetry";
import { call, createKey, createTestTenant, type TestTenant } from "./helpers";
import { sessionRowIn } from "./session-rows";

const DAY = 86_400_000;
const daysAgo = (d: number) => new Date(Date.now() - d * DAY);

const setRetention = (t: TestTenant, body: Record<string, unknown>, key = t.key) =>
  call(tenantRoute.PATCH, { method: "PATCH", path: "/api/v1/tenant", key, body });

/** `count` log lines, metrics and spans of one session, all at `at`, written straight to the tables. */
async function seed(tenantId: string, sessionId: string, at: Date, count: number, tag: string) {
  await db().$executeRaw`
    WITH r AS (UPDATE sessions SET log_seq = log_seq + ${count} WHERE id = ${sessionId} RETURNING log_seq)
    INSERT INTO session_logs (session_id, seq, tenant_id, stream, source, at, line)
    SELECT ${sessionId}, (SELECT log_seq FROM r) - ${count} + i, ${tenantId}, 'stdout', 'seed', ${at}::timestamptz, ${tag} || i
    FROM generate_series(1, ${count}) AS i`;
  await db().$executeRaw`
    INSERT INTO session_metrics (session_id, at, tenant_id, cpu_vcpu, memory_bytes, pids)
    SELECT ${sessionId}, ${at}::timestamptz + i * interval '1 millisecond', ${tenantId}, 0.5, 1000, 1 FROM generate_series(1, ${count}) AS i`;
  const startNs = BigInt(at.getTime()) * 1_000_000n;
  await db().$executeRaw`
    INSERT INTO spans (tenant_id, trace_id, span_id, session_id, name, kind, source, start_ns, end_ns)
    SELECT ${tenantId}, md5(${tag} || ${sessionId}), lpad(to_hex(i), 16, '0'), ${sessionId}, 'seeded', 'internal', 'otlp', ${startNs}::bigint + i, ${startNs}::bigint + i + 1000
    FROM generate_series(1, ${count}) AS i`;
}

/** The seeded rows left (the API calls of a test record platform spans of their own). */
async function counts(tenantId: string, before?: Date) {
  const at = before ? { lt: before } : undefined;
  return {
    logs: await db().sessionLogLine.count({ where: { tenantId, source: "seed", ...(at ? { at } : {}) } }),
    metrics: await db().sessionMetric.count({ where: { tenantId, ...(at ? { at } : {}) } }),
    spans: await db().span.count({ where: { tenantId, name: "seeded", ...(before ? { startNs: { lt: BigInt(before.getTime()) * 1_000_000n } } : {}) } }),
  };
}

describe("retention settings", () => {
  it("lets admins set retention days, audits the change, and refuses bad values", async () => {
    const t = await createTestTenant();
    const got = await call(tenantRoute.GET, { path: "/api/v1/tenant", key: t.key });
    expect(got.body).toMatchObject({ logRetentionDays: 7, spanRetentionDays: 7 });

    const res = await setRetention(t, { logRetentionDays: 30, spanRetentionDays: 3 });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: t.id, logRetentionDays: 30, spanRetentionDays: 3 });
    const audit = await db().auditEvent.findMany({ where: { tenantId: t.id, action: "tenant.updated" } });
    expect(audit).toHaveLength(1);
    expect(audit[0].metadata).toEqual({ logRetentionDays: { from: 7, to: 30 }, spanRetentionDays: { from: 7, to: 3 } });

    for (const bad of [{ logRetentionDays: 0 }, { spanRetentionDays: 366 }, { logRetentionDays: 1.5 }, { logRetentionDays: "7" }, {}, { retention: 3 }]) {
      const r = await setRetention(t, bad);
      expect(r.status, JSON.stringify(bad)).toBe(400);
      expect(r.body.error.code).toBe("invalid_request");
    }
    expect(await db().tenant.findUniqueOrThrow({ where: { id: t.id } })).toMatchObject({ logRetentionDays: 30, spanRetentionDays: 3 });

    expect((await call(tenantRoute.PATCH, { method: "PATCH", path: "/api/v1/tenant", body: { logRetentionDays: 1 } })).status).toBe(401);
    const member = await createKey(t.id, ["sessions:read", "sessions:write"]);
    expect((await setRetention(t, { logRetentionDays: 1 }, member.secret)).status).toBe(403);
    expect((await db().tenant.findUniqueOrThrow({ where: { id: t.id } })).logRetentionDays).toBe(30);
  });
});

describe("purge of expired telemetry", () => {
  it("deletes each tenant's rows older than its retention and keeps recent rows and longer-kept tenants", async () => {
    const { id: aSession, tenant: a } = await sessionRowIn("running");
    const { id: bSession, tenant: b } = await sessionRowIn("running");
    expect((await setRetention(a, { logRetentionDays: 7, spanRetentionDays: 3 })).status).toBe(200);
    expect((await setRetention(b, { logRetentionDays: 30, spanRetentionDays: 30 })).status).toBe(200);
    for (const [t, s] of [[a, aSession], [b, bSession]] as const) {
      await seed(t.id, s, daysAgo(10), 120, "old"); // past A's 7 and 3 days, within B's 30
      await seed(t.id, s, daysAgo(5), 50, "mid"); // spans past A's 3 days; logs and metrics kept
      await seed(t.id, s, daysAgo(0.01), 30, "new");
    }

    // Small batches: the purge has to go round several times per table.
    const result = await purgeExpiredTelemetry({ tenantIds: [a.id, b.id], batchSize: 25 });
    expect(result).toEqual({ sessionLogs: 120, sessionMetrics: 120, spans: 170, networkEvents: 0 });
    expect(await counts(a.id)).toEqual({ logs: 80, metrics: 80, spans: 30 });
    expect(await counts(a.id, daysAgo(7))).toEqual({ logs: 0, metrics: 0, spans: 0 });
    expect(await counts(b.id)).toEqual({ logs: 200, metrics: 200, spans: 200 });
    // Nothing left to do.
    expect(await purgeExpiredTelemetry({ tenantIds: [a.id, b.id], batchSize: 25 })).toEqual({ sessionLogs: 0, sessionMetrics: 0, spans: 0, networkEvents: 0 });
  });

  it("stops after a bounded number of batches per run and finishes on the next runs", async () => {
    const { id, tenant } = await sessionRowIn("running");
    await seed(tenant.id, id, daysAgo(8), 500, "old");
    const run = () => purgeExpiredTelemetry({ tenantIds: [tenant.id], batchSize: 100, maxBatchesPerTable: 2 });
    expect(await run()).toEqual({ sessionLogs: 200, sessionMetrics: 200, spans: 200, networkEvents: 0 });
    expect(await run()).toEqual({ sessionLogs: 200, sessionMetrics: 200, spans: 200, networkEvents: 0 });
    expect(await run()).toEqual({ sessionLogs: 100, sessionMetrics: 100, spans: 100, networkEvents: 0 });
    expect(await run()).toEqual({ sessionLogs: 0, sessionMetrics: 0, spans: 0, networkEvents: 0 });
    expect(await counts(tenant.id)).toEqual({ logs: 0, metrics: 0, spans: 0 });
  });

  it("never locks out a writer appending logs while it purges", async () => {
    const { id: oldSession, tenant } = await sessionRowIn("running");
    const { id: liveSession } = await sessionRowIn("running", undefined, {}, tenant);
    const OLD = 100_000;
    await db().$executeRaw`
      INSERT INTO session_logs (session_id, seq, tenant_id, stream, source, at, line)
      SELECT ${oldSession}, i, ${tenant.id}, 'stdout', 'main', now() - interval '30 days', 'old line ' || i FROM generate_series(1, ${OLD}) AS i`;
    await db().session.update({ where: { id: oldSession }, data: { logSeq: OLD } });

    let purging = true;
    let appendsDuringPurge = 0;
    const writer = (async () => {
      let appended = 0;
      // Bounded in count; stops as soon as the purge is done.
      while (purging && appended < 20_000) {
        await appendSessionLogs(tenant.id, liveSession, [{ stream: "stdout", source: "main", at: new Date(), line: `live ${appended}` }]);
        appended++;
        if (purging) appendsDuringPurge++;
      }
      return appended;
    })();
    const purge = purgeExpiredTelemetry({ tenantIds: [tenant.id], batchSize: 2_000, maxBatchesPerTable: 100 }).finally(() => (purging = false));
    const [result, appended] = await Promise.all([purge, writer]);

    expect(result.sessionLogs).toBe(OLD);
    // A purge holding a lock writers wait for would let none of them finish before it did.
    expect(appendsDuringPurge).toBeGreaterThanOrEqual(5);
    // Every line the writer appended is there, none lost to the purge.
    expect(await db().sessionLogLine.count({ where: { sessionId: liveSession } })).toBe(appended);
    expect(await db().sessionLogLine.count({ where: { sessionId: oldSession } })).toBe(0);
  });
});
