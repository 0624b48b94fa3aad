// The price book: plans (monthly fee, quotas) with a unit price and an included monthly amount per
// meter. Plans are global rows (seeded free, pro, enterprise); a tenant's plan is in tenant_billing.
import { db } from "../db/client";
import type { Prisma } from "../db/generated/client";
import { tenantDb } from "../db/tenant-scope";
import { METERS, type Meter } from "../usage/meters";
import type { MeterPrice } from "./cost-math";
import { formatDecimal, parseDecimal, PRICE_SCALE, QUANTITY_SCALE } from "./money";

export const DEFAULT_PLAN_ID = "free";

export type PlanQuotas = {
  maxRunningSessions: number;
  maxVcpu: number;
  maxMemoryMib: number;
  maxSnapshotBytes: number;
  maxLifetimeSeconds: number;
  logBytesPerSecond: number;
  logMaxBytes: number;
};

export type PricedPlan = {
  id: string;
  name: string;
  monthlyFeeCents: number;
  stripePriceId: string | null;
  prices: MeterPrice[];
  quotas: PlanQuotas;
};

type PlanRow = Prisma.PlanGetPayload<{ include: { prices: true } }>;

// toFixed() keeps Decimal out of exponent notation ("1.4e-8"); the re-format drops trailing zeros.
const decimalString = (value: Prisma.Decimal, scale: number) => formatDecimal(parseDecimal(value.toFixed(), scale), scale);

function toPricedPlan(row: PlanRow): PricedPlan {
  const prices = row.prices
    .filter((p): p is typeof p & { meter: Meter } => (METERS as readonly string[]).includes(p.meter))
    .sort((a, b) => METERS.indexOf(a.meter) - METERS.indexOf(b.meter))
    .map((p) => ({ meter: p.meter, unitPriceUsd: decimalString(p.unitPriceUsd, PRICE_SCALE), includedQuantity: decimalString(p.includedQuantity, QUANTITY_SCALE) }));
  return {
    id: row.id,
    name: row.name,
    monthlyFeeCents: row.monthlyFeeCents,
    stripePriceId: row.stripePriceId,
    prices,
    quotas: {
      maxRunningSessions: row.maxRunningSessions,
      maxVcpu: row.maxVcpu,
      maxMemoryMib: row.maxMemoryMib,
      maxSnapshotBytes: Number(row.maxSnapshotBytes),
      maxLifetimeSeconds: row.maxLifetimeSeconds,
      logBytesPerSecond: row.logBytesPerSecond,
      logMaxBytes: Number(row.logMaxBytes),
    },
  };
}

export async function listPlans(): Promise<PricedPlan[]> {
  const rows = await db().plan.findMany({ include: { prices: true }, orderBy: [{ sortOrder: "asc" }, { id: "asc" }] });
  return rows.map(toPricedPlan);
}

/** The plan, or null when the price book has no such id. */
export async function findPlan(planId: string): Promise<PricedPlan | null> {
  const row = await db().plan.findUnique({ where: { id: planId }, include: { prices: true } });
  return row ? toPricedPlan(row) : null;
}

/** The tenant's plan: tenant_billing.planId, "free" without a row (or if its plan was removed). */
export async function getTenantPlan(tenantId: string): Promise<PricedPlan> {
  const billing = await tenantDb(tenantId).tenantBilling.findFirst({ select: { planId: true } });
  const plan = (await findPlan(billing?.planId ?? DEFAULT_PLAN_ID)) ?? (await findPlan(DEFAULT_PLAN_ID));
  if (!plan) throw new Error("The price book has no free plan (migration 20261123130000_billing seeds it)");
  return plan;
}
