// The scheduler's spend-limit job (system actor, every minute): for every tenant and API key with a
// limit, price the period so far; record the 50/80/100 % budget alerts once per period and scope
// (a unique row each, with an audit event); at 100 % mark the tenant's limit reached and ask its
// sessions (or the key's) to hibernate, cause "spend_limit". A new period, or a limit raised above
// the spend or removed, clears the mark. The database holds all state; a rerun changes nothing.
import type { Actor } from "../auth/context";
import { recordAuditEvent } from "../audit";
import { db } from "../db/client";
import { tenantDb, type TenantTx } from "../db/tenant-scope";
import { newId } from "../ids";
import { notifyRunner } from "../runners/notify";
import { billingPeriodOf, isInPeriod } from "./billing-period";
import { type BillingPeriod, reachedThresholds } from "./cost-math";
import { periodSpendCents, BUDGET_THRESHOLDS, TENANT_SCOPE } from "./spend-limit";

const SYSTEM: Actor = { type: "system", id: null, label: "spend limits" };

export type EnforceResult = { alerts: number; limitsReached: number; hibernated: number; cleared: number; failed: number };

export async function enforceSpendLimits({ now = new Date(), tenantIds }: {
  now?: Date;
  /** Only these tenants and their keys (tests); the scheduler passes none, which means all. */
  tenantIds?: string[];
} = {}): Promise<EnforceResult> {
  const period = billingPeriodOf(now);
  const result: EnforceResult = { alerts: 0, limitsReached: 0, hibernated: 0, cleared: 0, failed: 0 };
  // One scope's failure is logged and retried next run; it does not hold up the others.
  const guarded = async (what: string, fn: () => Promise<void>) => {
    try {
      await fn();
    } catch (err) {
      result.failed += 1;
      console.error(`[spend limits] ${what}:`, err instanceof Error ? err.message : err);
    }
  };
  // Across tenants, as the system actor: finding who has a limit is what decides the tenants.
  const inScope = tenantIds ? { tenantId: { in: tenantIds } } : {};
  const tenants = await db().tenantBilling.findMany({
    where: { OR: [{ spendLimitCents: { not: null } }, { spendLimitReachedAt: { not: null } }], ...inScope },
    select: { tenantId: true },
  });
  for (const { tenantId } of tenants) await guarded(`tenant ${tenantId}`, () => enforceTenantLimit(tenantId, period, now, result));
  const keys = await db().apiKey.findMany({ where: { spendLimitCents: { not: null }, ...inScope }, select: { id: true, tenantId: true } });
  for (const key of keys) await guarded(`API key ${key.id}`, () => enforceKeyLimit(key.tenantId, key.id, period, now, result));
  return result;
}

async function enforceTenantLimit(tenantId: string, period: BillingPeriod, now: Date, result: EnforceResult) {
  // Priced before the transaction (its own connection); the limit is read locked inside it, so a
  // concurrent change of the limit is either seen here or clears the mark after this commits.
  const spend = await periodSpendCents(tenantId, now);
  await tenantDb(tenantId).$transaction(async (tx) => {
    const [billing] = await tx.$queryRaw<{ spend_limit_cents: number | null; spend_limit_reached_at: Date | null }[]>`
      SELECT spend_limit_cents, spend_limit_reached_at FROM tenant_billing WHERE tenant_id = ${tenantId} FOR UPDATE`;
    if (!billing) return;
    const limit = billing.spend_limit_cents;
    const markedNow = billing.spend_limit_reached_at !== null && isInPeriod(billing.spend_limit_reached_at, period);
    if ((limit === null || spend < limit) && billing.spend_limit_reached_at !== null) {
      await tx.tenantBilling.update({ where: { tenantId }, data: { spendLimitReachedAt: null } });
      result.cleared += 1;
    }
    if (limit === null) return;
    result.alerts += (await recordAlerts(tx, { tenantId, scope: TENANT_SCOPE, period, spend, limit })).length;
    if (spend < limit) return;
    if (!markedNow) {
      await tx.tenantBilling.update({ where: { tenantId }, data: { spendLimitReachedAt: now } });
      await recordAuditEvent({ tenantId, actor: SYSTEM, ip: null, db: tx }, {
        action: "billing.spend_limit_reached", targetType: "tenant", targetId: tenantId, metadata: { limitCents: limit, spendCents: spend },
      });
      result.limitsReached += 1;
    }
    result.hibernated += await hibernateSessions(tx, tenantId, null);
  });
}

async function enforceKeyLimit(tenantId: string, keyId: string, period: BillingPeriod, now: Date, result: EnforceResult) {
  const spend = await periodSpendCents(tenantId, now, keyId);
  await tenantDb(tenantId).$transaction(async (tx) => {
    const key = await tx.apiKey.findFirst({ where: { id: keyId }, select: { spendLimitCents: true } });
    const limit = key?.spendLimitCents;
    if (limit == null) return;
    const recorded = await recordAlerts(tx, { tenantId, scope: keyId, period, spend, limit });
    result.alerts += recorded.length;
    if (spend < limit) return;
    // A key has no "reached" column: its 100 % alert (once per period) is the mark, and the moment to audit.
    if (recorded.includes(100)) {
      await recordAuditEvent({ tenantId, actor: SYSTEM, ip: null, db: tx }, {
        action: "billing.spend_limit_reached", targetType: "api_key", targetId: keyId, metadata: { limitCents: limit, spendCents: spend },
      });
      result.limitsReached += 1;
    }
    result.hibernated += await hibernateSessions(tx, tenantId, keyId);
  });
}

/**
 * Inserts the reached thresholds' alerts and answers the thresholds new this time; the unique
 * (tenant, scope, period, threshold) keeps each to one row however often the job runs.
 */
async function recordAlerts(tx: TenantTx, a: { tenantId: string; scope: string; period: BillingPeriod; spend: number; limit: number }): Promise<number[]> {
  const thresholds = reachedThresholds(a.spend, a.limit, BUDGET_THRESHOLDS);
  if (!thresholds.length) return [];
  const created = await tx.budgetAlert.createManyAndReturn({
    data: thresholds.map((threshold) => ({
      id: newId("bal"), tenantId: a.tenantId, scope: a.scope, periodStart: a.period.start, threshold, spendCents: a.spend, limitCents: a.limit,
    })),
    skipDuplicates: true,
  });
  for (const alert of created) {
    await recordAuditEvent({ tenantId: a.tenantId, actor: SYSTEM, ip: null, db: tx }, {
      action: "billing.budget_alert",
      targetType: a.scope === TENANT_SCOPE ? "tenant" : "api_key",
      targetId: a.scope === TENANT_SCOPE ? a.tenantId : a.scope,
      metadata: { threshold: alert.threshold, spendCents: a.spend, limitCents: a.limit, periodStart: a.period.start.toISOString() },
    });
  }
  return created.map((alert) => alert.threshold);
}

/** Asks the tenant's (or one key's) running and paused sessions to hibernate; their runners converge. */
async function hibernateSessions(tx: TenantTx, tenantId: string, apiKeyId: string | null): Promise<number> {
  const changed = await tx.$queryRaw<{ id: string; runner_id: string | null }[]>`
    UPDATE sessions SET desired_state = 'hibernated', desired_cause = 'spend_limit'
    WHERE tenant_id = ${tenantId} AND (${apiKeyId}::text IS NULL OR api_key_id = ${apiKeyId}::text)
      AND state IN ('pending', 'starting', 'running', 'paused') AND desired_state IN ('running', 'paused')
    RETURNING id, runner_id`;
  for (const runnerId of new Set(changed.map((s) => s.runner_id))) await notifyRunner(tx, runnerId);
  return changed.length;
}
