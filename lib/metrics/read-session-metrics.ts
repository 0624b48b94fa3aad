// GET /sessions/{id}/metrics: the session's samples in a time range. A range holding at most
// MAX_POINTS samples answers them as they are; a longer one is aggregated in the database into
// buckets (average CPU, maximum memory and pids), so an answer never grows with the range.
import type { z } from "zod";
import { notFound } from "../api/errors";
import type { TenantContext } from "../auth/context";
import { db } from "../db/client";
import type { sessionMetricsQuerySchema } from "./schemas";
import { bucketWidthMs, MAX_POINTS, resolveTimeRange } from "./time-range";

const DEFAULT_RANGE_MS = 3_600_000;

type BucketRow = { at: Date; cpu_vcpu: number; memory_bytes: bigint; pids: number; samples: bigint };

export async function readSessionMetrics({ ctx, input }: { ctx: TenantContext; input: { id: string } & z.infer<typeof sessionMetricsQuerySchema> }) {
  const session = await ctx.db.session.findFirst({ where: { id: input.id }, select: { id: true } });
  if (!session) throw notFound("Session");
  const { from, to } = resolveTimeRange(input, DEFAULT_RANGE_MS);
  const answer = { sessionId: session.id, from: from.toISOString(), to: to.toISOString() };

  const raw = await ctx.db.sessionMetric.findMany({
    where: { sessionId: session.id, at: { gte: from, lt: to } },
    orderBy: { at: "asc" },
    take: MAX_POINTS + 1,
  });
  if (raw.length <= MAX_POINTS) {
    return {
      ...answer, bucketSeconds: null,
      data: raw.map((m) => ({ at: m.at.toISOString(), cpuVcpu: m.cpuVcpu, memoryBytes: Number(m.memoryBytes), pids: m.pids, samples: 1 })),
    };
  }

  const widthMs = bucketWidthMs(to.getTime() - from.getTime());
  // Raw SQL for date_bin; the tenant is in the WHERE like every other tenant query.
  const rows = await db().$queryRaw<BucketRow[]>`
    SELECT date_bin(${widthMs} * interval '1 millisecond', at, ${from}::timestamptz) AS at,
           avg(cpu_vcpu)::float8 AS cpu_vcpu, max(memory_bytes) AS memory_bytes, max(pids) AS pids, count(*) AS samples
    FROM session_metrics
    WHERE tenant_id = ${ctx.tenantId} AND session_id = ${session.id} AND at >= ${from}::timestamptz AND at < ${to}::timestamptz
    GROUP BY 1 ORDER BY 1`;
  return {
    ...answer, bucketSeconds: widthMs / 1000,
    data: rows.map((r) => ({ at: r.at.toISOString(), cpuVcpu: r.cpu_vcpu, memoryBytes: Number(r.memory_bytes), pids: r.pids, samples: Number(r.samples) })),
  };
}
