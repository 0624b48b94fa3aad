// PATCH /api/v1/billing/settings: the tenant's monthly spend limit. Any change clears the
// "limit reached" mark: the next create (and the scheduler's next run) compares the spend with the
// new limit, so a raised or removed limit lets sessions start again at once.
import type { TenantContext } from "../auth/context";
import { recordAuditEvent } from "../audit";
import { inTransaction } from "../db/tenant-scope";
import { getBillingSummary } from "./get-billing-summary";
import type { UpdateBillingSettingsInput } from "./schemas";

export async function updateBillingSettings({ ctx, input }: { ctx: TenantContext; input: UpdateBillingSettingsInput }) {
  await inTransaction(ctx.db, async (tx) => {
    const before = await tx.tenantBilling.findFirst({ select: { spendLimitCents: true } });
    await tx.tenantBilling.upsert({
      where: { tenantId: ctx.tenantId },
      create: { tenantId: ctx.tenantId, spendLimitCents: input.spendLimitCents },
      update: { spendLimitCents: input.spendLimitCents, spendLimitReachedAt: null },
    });
    await recordAuditEvent({ ...ctx, db: tx }, {
      action: "billing.spend_limit_changed", targetType: "tenant", targetId: ctx.tenantId,
      metadata: { from: before?.spendLimitCents ?? null, to: input.spendLimitCents },
    });
  });
  return getBillingSummary({ ctx });
}
