// Local billing mode's invoices: our own draft per tenant and billing period (source local), with
// the price book applied to the metered usage (computePeriodCost), never charged. The current
// period's draft follows the usage; once the period has ended and the hourly rollups have closed
// past its end, the draft is written one last time and finalized (status open, still not charged).
// A finalized local invoice is never changed again.
import { isUniqueViolation } from "../../api/errors";
import { db } from "../../db/client";
import { tenantDb } from "../../db/tenant-scope";
import { billingMode } from "../../env";
import { newId } from "../../ids";
import { METER_UNITS } from "../../usage/meters";
import { billingPeriodOf } from "../billing-period";
import { computePeriodCost } from "../compute-period-cost";
import type { BillingPeriod } from "../cost-math";
import { getTenantPlan } from "../price-book";

type Synced = "drafted" | "finalized" | "unchanged";

/** JSON with object keys sorted: jsonb hands keys back in its own order. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v);
}

/** Every hour before this instant is rolled up for good (null: nothing is yet). */
async function usageClosedThrough(): Promise<Date | null> {
  const state = await db().usageRollupState.aggregate({ _min: { closedThrough: true } });
  return state._min.closedThrough;
}

async function writeLocalInvoice(tenantId: string, period: BillingPeriod, final: boolean): Promise<Synced> {
  const scoped = tenantDb(tenantId);
  const key = { tenantId_source_periodStart: { tenantId, source: "local", periodStart: period.start } };
  const existing = await scoped.invoice.findUnique({ where: key, select: { status: true, totalCents: true, lines: true } });
  if (existing && existing.status !== "draft") return "unchanged";
  const plan = await getTenantPlan(tenantId);
  const cost = await computePeriodCost({ tenantId, period, plan });
  const lines = [
    ...(cost.feeCents > 0 ? [{ description: `${plan.name} plan: monthly fee`, amountCents: cost.feeCents }] : []),
    ...cost.lines.map((line) => ({ description: METER_UNITS[line.meter], ...line })),
  ];
  const data = { status: final ? "open" : "draft", periodEnd: period.end, currency: "usd", totalCents: cost.totalCents, lines };
  const update = () => scoped.invoice.updateMany({ where: { source: "local", periodStart: period.start, status: "draft" }, data });
  if (existing) {
    if (!final && existing.totalCents === data.totalCents && canonicalJson(existing.lines) === canonicalJson(lines)) return "unchanged";
    await update();
  }
  else {
    try {
      // Ids sort by time (lists are newest first by id): take the period's start, so the list is by period.
      await scoped.invoice.create({ data: { id: newId("ivc", period.start.getTime()), tenantId, source: "local", periodStart: period.start, ...data } });
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      await update(); // drafted at the same moment by another caller
    }
  }
  return final ? "finalized" : "drafted";
}

/** The tenant's local invoices for the current period and, until it is finalized, the previous one. */
export async function syncTenantLocalInvoices(tenantId: string, opts: { now?: Date; tenantCreatedAt?: Date; closedThrough?: Date | null } = {}): Promise<Synced[]> {
  const now = opts.now ?? new Date();
  const closedThrough = opts.closedThrough !== undefined ? opts.closedThrough : await usageClosedThrough();
  const current = billingPeriodOf(now);
  const previous = billingPeriodOf(new Date(current.start.getTime() - 1));
  const results: Synced[] = [];
  const createdAt = opts.tenantCreatedAt ?? (await db().tenant.findUnique({ where: { id: tenantId }, select: { createdAt: true } }))?.createdAt;
  const existedThen = !createdAt || createdAt < previous.end;
  if (existedThen) {
    const closed = closedThrough !== null && closedThrough >= previous.end;
    results.push(await writeLocalInvoice(tenantId, previous, closed));
  }
  results.push(await writeLocalInvoice(tenantId, current, false));
  return results;
}

/** The scheduler job (local billing mode only): every tenant's drafts, a page of tenants at a time. */
export async function syncLocalInvoices({ now = new Date(), tenantIds }: {
  now?: Date;
  /** Only these tenants (tests); the scheduler passes none, which means all. */
  tenantIds?: string[];
} = {}): Promise<{ drafted: number; finalized: number }> {
  const counts = { drafted: 0, finalized: 0 };
  if (billingMode() !== "local") return counts;
  const closedThrough = await usageClosedThrough();
  let cursor: string | undefined;
  for (let page = 0; page < 10_000; page++) {
    // Tenants themselves are not tenant-owned rows: the job walks all of them as the system.
    const tenants = await db().tenant.findMany({
      select: { id: true, createdAt: true }, orderBy: { id: "asc" }, take: 200,
      ...(cursor || tenantIds ? { where: { id: { ...(cursor ? { gt: cursor } : {}), ...(tenantIds ? { in: tenantIds } : {}) } } } : {}),
    });
    if (tenants.length === 0) break;
    for (const tenant of tenants) {
      for (const result of await syncTenantLocalInvoices(tenant.id, { now, tenantCreatedAt: tenant.createdAt, closedThrough })) {
        if (result !== "unchanged") counts[result] += 1;
      }
    }
    cursor = tenants[tenants.length - 1].id;
  }
  return counts;
}
