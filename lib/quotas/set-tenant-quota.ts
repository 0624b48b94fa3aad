// Per-tenant quota overrides, set by a platform admin (npm run admin -- set-quota). An override is
// a whole tenant_quotas row, which wins over the plan's quotas: the limits not given are copied
// from the tenant's current limits (its override, else its plan), and stay fixed from then on.
// Clearing deletes the row, and the plan's quotas apply again.
import { z } from "zod";
import type { TenantContext } from "../auth/context";
import { recordAuditEvent } from "../audit";
import { inTransaction } from "../db/tenant-scope";
import { getQuota, type Quota } from "./session-quota";

export const quotaOverrideSchema = z
  .object({
    maxRunningSessions: z.number().int().min(0).max(1_000_000).optional(),
    maxVcpu: z.number().min(0).max(1_000_000).optional(),
    maxMemoryMib: z.number().int().min(0).max(2_000_000_000).optional(),
    maxSnapshotBytes: z.bigint().min(0n).max(2n ** 62n).optional(),
    maxLifetimeSeconds: z.number().int().min(1).max(24 * 60 * 60).optional(),
  })
  .strict();
export type QuotaOverride = z.infer<typeof quotaOverrideSchema>;

export type TenantQuotaView = { source: "plan" | "override"; quota: Quota };

const describe = (q: Quota) => ({ ...q, maxSnapshotBytes: q.maxSnapshotBytes.toString() });

export async function setTenantQuota({ ctx, input }: { ctx: TenantContext; input: { set: QuotaOverride } | { clear: true } }): Promise<TenantQuotaView> {
  return inTransaction(ctx.db, async (tx) => {
    const before = await getQuota(tx);
    if ("clear" in input) {
      await tx.tenantQuota.deleteMany({});
      const after = await getQuota(tx);
      await recordAuditEvent({ ...ctx, db: tx }, {
        action: "billing.quota_changed", targetType: "tenant", targetId: ctx.tenantId, metadata: { override: "cleared", from: describe(before), to: describe(after) },
      });
      return { source: "plan", quota: after };
    }
    const set = Object.fromEntries(Object.entries(input.set).filter(([, v]) => v !== undefined)) as Partial<Quota>;
    const next: Quota = {
      maxRunningSessions: before.maxRunningSessions,
      maxVcpu: before.maxVcpu,
      maxMemoryMib: before.maxMemoryMib,
      maxSnapshotBytes: before.maxSnapshotBytes,
      maxLifetimeSeconds: before.maxLifetimeSeconds,
      ...set,
    };
    await tx.tenantQuota.upsert({ where: { tenantId: ctx.tenantId }, create: { tenantId: ctx.tenantId, ...next }, update: next });
    await recordAuditEvent({ ...ctx, db: tx }, {
      action: "billing.quota_changed", targetType: "tenant", targetId: ctx.tenantId, metadata: { override: "set", from: describe(before), to: describe(next) },
    });
    return { source: "override", quota: next };
  });
}
