// Per-tenant quotas, checked inside the transaction that starts (or wakes) a session, under the
// tenant's quota lock: concurrent creates of one tenant queue on it, so 50 parallel creates against
// a quota of 10 start exactly 10.
import { AppError } from "../api/errors";
import type { TenantDb, TenantTx } from "../db/tenant-scope";
import { ACTIVE_STATES } from "../sessions/state-machine";

export type Quota = {
  maxRunningSessions: number;
  maxVcpu: number;
  maxMemoryMib: number;
  maxSnapshotBytes: bigint;
  maxLifetimeSeconds: number;
};

type PlanQuotaRow = {
  max_running_sessions: number; max_vcpu: number; max_memory_mib: number; max_snapshot_bytes: bigint; max_lifetime_seconds: number;
};

/**
 * The tenant's limits: a tenant_quotas row (set by a platform admin) wins; otherwise the quotas of
 * its plan (tenant_billing.planId; no row = free). Read through the caller's handle, so inside the
 * create transaction it needs no second connection while the tenant row is locked.
 */
export async function getQuota(tx: TenantTx | TenantDb): Promise<Quota> {
  const override = await tx.tenantQuota.findFirst({
    select: { maxRunningSessions: true, maxVcpu: true, maxMemoryMib: true, maxSnapshotBytes: true, maxLifetimeSeconds: true },
  });
  if (override) return override;
  const billing = await tx.tenantBilling.findFirst({ select: { planId: true } });
  const planId = billing?.planId ?? "free";
  // Plans are global (not tenant rows): read with SQL; an unknown plan id falls back to free.
  const [plan] = await tx.$queryRaw<PlanQuotaRow[]>`
    SELECT max_running_sessions, max_vcpu, max_memory_mib, max_snapshot_bytes, max_lifetime_seconds
    FROM plans WHERE id IN (${planId}, 'free') ORDER BY (id = ${planId}) DESC LIMIT 1`;
  if (!plan) throw new Error("The price book has no free plan (migration 20261123130000_billing seeds it)");
  return {
    maxRunningSessions: plan.max_running_sessions,
    maxVcpu: Number(plan.max_vcpu),
    maxMemoryMib: plan.max_memory_mib,
    maxSnapshotBytes: BigInt(plan.max_snapshot_bytes),
    maxLifetimeSeconds: plan.max_lifetime_seconds,
  };
}

export type QuotaUsage = { runningSessions: number; vcpu: number; memoryMib: number; snapshotBytes: bigint };

/** What counts against the quotas now: sessions holding compute, and stored snapshots. */
export async function getQuotaUsage(tx: TenantTx | TenantDb): Promise<QuotaUsage> {
  const sessions = await tx.session.aggregate({
    where: { state: { in: [...ACTIVE_STATES] } },
    _count: { _all: true },
    _sum: { vcpu: true, memoryMib: true },
  });
  const snapshots = await tx.snapshot.aggregate({ where: { status: "ready" }, _sum: { storedBytes: true } });
  return {
    runningSessions: sessions._count._all,
    vcpu: sessions._sum.vcpu ?? 0,
    memoryMib: sessions._sum.memoryMib ?? 0,
    snapshotBytes: snapshots._sum.storedBytes ?? 0n,
  };
}

function exceeded(what: string, limit: number | string, used: number | string) {
  return new AppError("quota_exceeded", `Quota exceeded: ${what} (limit ${limit}, in use ${used})`, {
    details: { quota: what, limit, used },
  });
}

/** pg_advisory_xact_lock class of the per-tenant quota locks (the sign-in throttle uses 51_101-51_102). */
const QUOTA_LOCKS = 51_201;

/** Takes the tenant's quota lock and checks that one more session of this size fits. Call inside a transaction. */
export async function assertSessionFits(tx: TenantTx, tenantId: string, demand: { vcpu: number; memoryMib: number; maxLifetimeSeconds: number }) {
  // A transaction-scoped advisory lock keyed by the tenant, not `SELECT … FOR UPDATE` on its row: a
  // row lock also conflicts with the FOR KEY SHARE that every foreign-key check on tenant_id takes
  // (each session event, audit row, log line of the tenant written meanwhile would wait for the
  // create to commit), and FOR NO KEY UPDATE would still serialize with other writers of the row
  // (spend limits, settings). The advisory lock excludes only other quota checks of this tenant;
  // it is released at commit, after the new session row is visible to the next check, so the count
  // stays exact. hashtext collisions only make two tenants' checks take turns.
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${QUOTA_LOCKS}::int, hashtext(${tenantId}))`;
  const quota = await getQuota(tx);
  if (demand.maxLifetimeSeconds > quota.maxLifetimeSeconds) throw exceeded("max_lifetime_seconds", quota.maxLifetimeSeconds, demand.maxLifetimeSeconds);
  const usage = await tx.session.aggregate({
    where: { state: { in: [...ACTIVE_STATES] } },
    _count: { _all: true },
    _sum: { vcpu: true, memoryMib: true },
  });
  const running = usage._count._all;
  const vcpu = usage._sum.vcpu ?? 0;
  const memory = usage._sum.memoryMib ?? 0;
  if (running + 1 > quota.maxRunningSessions) throw exceeded("running_sessions", quota.maxRunningSessions, running);
  if (vcpu + demand.vcpu > quota.maxVcpu) throw exceeded("vcpu", quota.maxVcpu, vcpu);
  if (memory + demand.memoryMib > quota.maxMemoryMib) throw exceeded("memory_mib", quota.maxMemoryMib, memory);
}
