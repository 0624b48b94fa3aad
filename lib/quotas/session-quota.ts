// Per-tenant quotas, checked inside the transaction that starts (or wakes) a session, with the
// tenant's row locked: concurrent creates of one tenant queue on the lock, so 50 parallel creates
// against a quota of 10 start exactly 10.
import { AppError } from "../api/errors";
import type { TenantTx } from "../db/tenant-scope";
import { ACTIVE_STATES } from "../sessions/state-machine";

export type Quota = {
  maxRunningSessions: number;
  maxVcpu: number;
  maxMemoryMib: number;
  maxSnapshotBytes: bigint;
  maxLifetimeSeconds: number;
};

export const DEFAULT_QUOTA: Quota = {
  maxRunningSessions: 20,
  maxVcpu: 32,
  maxMemoryMib: 64 * 1024,
  maxSnapshotBytes: 50n * 1024n ** 3n,
  maxLifetimeSeconds: 24 * 60 * 60,
};

export async function getQuota(tx: TenantTx): Promise<Quota> {
  const row = await tx.tenantQuota.findFirst();
  return row ?? DEFAULT_QUOTA;
}

function exceeded(what: string, limit: number | string, used: number | string) {
  return new AppError("quota_exceeded", `Quota exceeded: ${what} (limit ${limit}, in use ${used})`, {
    details: { quota: what, limit, used },
  });
}

/** Locks the tenant and checks that one more session of this size fits. Call inside a transaction. */
export async function assertSessionFits(tx: TenantTx, tenantId: string, demand: { vcpu: number; memoryMib: number; maxLifetimeSeconds: number }) {
  await tx.$queryRaw`SELECT id FROM tenants WHERE id = ${tenantId} FOR UPDATE`;
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
