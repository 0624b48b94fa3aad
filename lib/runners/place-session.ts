// Placement: the online runner with the most free vCPU (less its unclaimed warm-pool sandboxes)
// that fits the session's resources and pool; a wake prefers the runner that kept the session's
// files (its hibernate cache) when that one fits.
// A runner that registered unable to run sandboxes is skipped; when it is all there is, the answer
// says why it cannot (its reason), not just that no runner is online.
// Only the chosen runner's row is locked (FOR UPDATE, until the create commits), and its free
// capacity is read again under that lock, so two placements cannot both take its last slot; creates
// on other runners (other tenants, other pools) go on meanwhile. Candidates are tried by free vCPU
// (the preferred runner first when it fits); one whose row another create holds is skipped
// (SKIP LOCKED) while a free one fits, and waited for only when all that fit are busy.
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
  const pool = demand.pool ?? null;
  const candidates = await capacities(tx, demand, null, excludeSessionId);
  const fitting = candidates.filter((c) => fits(c, demand));
  // A wake tries the runner holding the session's hibernate cache first when it fits, then the
  // others by free capacity.
  const preferred = demand.preferRunnerId ? fitting.findIndex((c) => c.id === demand.preferRunnerId) : -1;
  if (preferred > 0) fitting.unshift(...fitting.splice(preferred, 1));
  for (const wait of [false, true]) {
    for (const c of fitting) {
      const locked = wait
        ? await tx.$queryRaw<{ id: string }[]>`SELECT id FROM runners WHERE id = ${c.id} AND status = 'online' AND unhealthy_reason IS NULL FOR UPDATE`
        : await tx.$queryRaw<{ id: string }[]>`SELECT id FROM runners WHERE id = ${c.id} AND status = 'online' AND unhealthy_reason IS NULL FOR UPDATE SKIP LOCKED`;
      if (!locked.length) continue;
      // Under the lock: what committed creates took from it since the first read.
      const [now] = await capacities(tx, demand, c.id, excludeSessionId);
      if (now && fits(now, demand)) return c.id;
    }
  }
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

const fits = (c: Candidate, demand: Demand) =>
  Number(c.free_vcpu) >= demand.vcpu && Number(c.free_memory) >= demand.memoryMib && Number(c.free_gpus) >= demand.gpus;

/** Live runners (of the pool; only `onlyRunner` when set) with their free capacity, most free vCPU first. */
function capacities(tx: TenantTx, demand: Demand, onlyRunner: string | null, excludeSessionId?: string): Promise<Candidate[]> {
  const pool = demand.pool ?? null;
  return tx.$queryRaw<Candidate[]>`
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
      AND (${onlyRunner}::text IS NULL OR r.id = ${onlyRunner}::text)
    GROUP BY r.id
    ORDER BY free_vcpu DESC, r.id`;
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
