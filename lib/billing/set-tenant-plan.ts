// Moving a tenant to another plan of the price book (platform admin, or a local-mode plan change).
// Quotas follow at once unless a tenant_quotas override exists; the new prices price the whole
// current period. The spend-limit mark is cleared: the spend is recomputed at the new prices.
import { AppError } from "../api/errors";
import type { TenantContext } from "../auth/context";
import { recordAuditEvent } from "../audit";
import { inTransaction } from "../db/tenant-scope";
import { DEFAULT_PLAN_ID, findPlan, type PricedPlan } from "./price-book";

export async function setTenantPlan({ ctx, input }: { ctx: TenantContext; input: { planId: string } }): Promise<PricedPlan> {
  const plan = await findPlan(input.planId);
  if (!plan) {
    throw new AppError("invalid_request", `No plan '${input.planId}'`, { details: { fields: [{ path: "planId", message: "unknown plan" }] } });
  }
  await inTransaction(ctx.db, async (tx) => {
    const before = await tx.tenantBilling.findFirst({ select: { planId: true } });
    await tx.tenantBilling.upsert({
      where: { tenantId: ctx.tenantId },
      create: { tenantId: ctx.tenantId, planId: plan.id },
      update: { planId: plan.id, spendLimitReachedAt: null },
    });
    await recordAuditEvent({ ...ctx, db: tx }, {
      action: "billing.plan_changed", targetType: "tenant", targetId: ctx.tenantId,
      metadata: { from: before?.planId ?? DEFAULT_PLAN_ID, to: plan.id },
    });
  });
  return plan;
}
