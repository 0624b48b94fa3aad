// Placement: the online runner with the most free vCPU that fits the session's resources and pool;
// a wake prefers the runner that kept the session's files (its hibernate cache) when that one fits.
// A runner that registered unable to run sandboxes is skipped; when it is all there is, the answer
// says why it cannot (its reason), not just that no runner is online.
// Runner rows are locked for the decision, so two placements cannot both take the last slot.
import { AppError } from "../api/errors";
import { Prisma } from "../db/generated/client";
import type { TenantTx } from "../db/tenant-scope";
import { withSpan } from "../telemetry/platform-span";
import { HEARTBEAT_TIMEOUT_SECONDS } from "./liveness";

export type Demand = { vcpu: number; memoryMib: number; gpus: number; pool?: string; /** Joins the placement span to the session. */ sessionId?: string; /** Taken when it fits. */ preferRunnerId?: string };

// Unclaimed warm-pool sandboxes hold their share of the runner (lib/warm-pool).
const POOLED_VCPU = Prisma.sql`COALESCE((SELECT SUM(p.vcpu) FROM pooled_sandboxes p WHERE p.runner_id = r.id AND p.session_id IS NULL), 0)`;
const POOLED_MEMORY = Prisma.sql`COALESCE((SELECT SUM(p.memory_mib) FROM pooled_sandboxes p WHERE p.runner_id = r.id AND p.session_id IS NULL), 0)`;

type Candidate = { id: string; free_vcpu: number; free_memory: number; free_gpus: number };

export function placeSession(tx: TenantTx, demand: Demand, excludeSessionId?: string): Promise<string> {
  const attributes = { "session.vcpu": demand.vcpu, "session.memory_mib": demand.memoryMib, "session.gpus": demand.gpus, "runner.pool": demand.pool };
  return withSpan("session.placement", { sessionId: demand.sessionId, attributes }, async (span) => {
    const runnerId = await pickRunner(tx, demand, excludeSessionId);
    span.setAttribute("runner.id", runnerId);
    return runnerId;
  });
}

async function pickRunner(tx: TenantTx, demand: Demand, excludeSessionId?: string): Promise<string> {
  await tx.$queryRaw`SELECT id FROM runners WHERE status = 'online' AND unhealthy_reason IS NULL ORDER BY id FOR UPDATE`;
  const pool = demand.pool ?? null;
  const candidates = await tx.$queryRaw<Candidate[]>`
    SELECT r.id,
           r.vcpu - COALESCE(SUM(s.vcpu), 0) - ${POOLED_VCPU} AS free_vcpu,
           r.memory_mib - COALESCE(SUM(s.memory_mib), 0) - ${POOLED_MEMORY} AS free_memory,
           r.gpus - COALESCE(SUM(s.gpus), 0) AS free_gpus
    FROM runners r
    LEFT JOIN sessions s ON s.runner_id = r.id
      AND s.state IN ('pending', 'starting', 'running', 'paused', 'hibernating')
      AND s.id IS DISTINCT FROM ${excludeSessionId ?? null}
    WHERE r.status = 'online' AND r.unhealthy_reason IS NULL
      AND r.last_heartbeat_at > (now() AT TIME ZONE 'UTC') - make_interval(secs => ${HEARTBEAT_TIMEOUT_SECONDS})
      AND (${pool}::text IS NULL OR r.labels->>'pool' = ${pool}::text)
    GROUP BY r.id
    ORDER BY free_vcpu DESC, r.id`;
  const fits = (c: Candidate) => Number(c.free_vcpu) >= demand.vcpu && Number(c.free_memory) >= demand.memoryMib && Number(c.free_gpus) >= demand.gpus;
  const preferred = demand.preferRunnerId ? candidates.find((c) => c.id === demand.preferRunnerId && fits(c)) : undefined;
  if (preferred) return preferred.id;
  const fit = candidates.find(
    (c) => Number(c.free_vcpu) >= demand.vcpu && Number(c.free_memory) >= demand.memoryMib && Number(c.free_gpus) >= demand.gpus,
  );
  if (fit) return fit.id;
  if (candidates.length) {
    throw new AppError("unavailable", "No runner has capacity for this session right now", {
      details: { reason: "no_capacity", demand }, headers: { "Retry-After": "5" },
    });
  }
  const unhealthy = await unhealthyRunners(tx, pool);
  if (unhealthy.length) {
    throw new AppError("unavailable", unhealthyMessage(unhealthy), {
      details: { reason: "runner_unhealthy", runners: unhealthy, demand }, headers: { "Retry-After": "30" },
    });
  }
  throw new AppError("unavailable", `No runner is online${pool ? ` in pool '${pool}'` : ""}`, {
    details: { reason: "no_runner", demand }, headers: { "Retry-After": "5" },
  });
}

type UnhealthyRunner = { name: string; reason: string };

/** Live runners (in the pool) that said at registration why they cannot run sandboxes. */
function unhealthyRunners(tx: TenantTx, pool: string | null): Promise<UnhealthyRunner[]> {
  return tx.$queryRaw<UnhealthyRunner[]>`
    SELECT name, unhealthy_reason AS reason FROM runners
    WHERE status = 'online' AND unhealthy_reason IS NOT NULL
      AND last_heartbeat_at > (now() AT TIME ZONE 'UTC') - make_interval(secs => ${HEARTBEAT_TIMEOUT_SECONDS})
      AND (${pool}::text IS NULL OR labels->>'pool' = ${pool}::text)
    ORDER BY name LIMIT 5`;
}

/** Names and reasons are the tenant view of a runner (the Runners page shows both); addresses are never in it. */
function unhealthyMessage(runners: UnhealthyRunner[]): string {
  return `No runner can start sessions: ${runners.map((r) => `runner ${r.name}: ${r.reason}`).join("; ")}`;
}
