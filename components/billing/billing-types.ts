// Answers of the billing and usage endpoints as the console reads them (the zod schemas in
// lib/api/endpoints.ts are the source). Money is integer cents or a decimal string, never a float.
import type { Meter } from "@/lib/usage/meters";

export type { Meter };

export type BillingMode = "stripe" | "local";

export type CostLine = {
  meter: Meter;
  quantity: string;
  includedQuantity: string;
  billableQuantity: string;
  unitPriceUsd: string;
  amountCents: number;
};

export type BudgetAlert = { scope: string; threshold: number; createdAt: string };

export type Quota = { name: string; limit: number; used: number };

export type BillingSummary = {
  mode: BillingMode;
  charged: boolean;
  plan: { id: string; name: string; monthlyFeeCents: number };
  period: { start: string; end: string };
  lines: CostLine[];
  usageCents: number;
  feeCents: number;
  totalCents: number;
  forecastCents: number;
  spendLimitCents: number | null;
  spendLimitReached: boolean;
  alerts: BudgetAlert[];
  quotas: Quota[];
  subscriptionStatus: string | null;
};

export type PlanPrice = { meter: Meter; unitPriceUsd: string; includedQuantity: string };
export type Plan = { id: string; name: string; monthlyFeeCents: number; prices: PlanPrice[]; quotas: Record<string, number> };

export type Invoice = {
  id: string;
  source: "local" | "stripe";
  status: string;
  periodStart: string;
  periodEnd: string;
  currency: string;
  totalCents: number;
  charged: boolean;
  hostedUrl: string | null;
  pdfUrl: string | null;
};

export type UsageGroupBy = "meter" | "session" | "template" | "apiKey";
export type UsageRow = { start: string; key: string; meter: Meter; quantity: string; amountCents: number };
export type UsageAnswer = { from: string; to: string; granularity: "hour" | "day"; groupBy: UsageGroupBy; data: UsageRow[] };

/** POST /billing/checkout: a Checkout page to go to (Stripe), or the plan already changed (local). */
export type CheckoutAnswer = { url: string } | { planId: string; applied: true };
