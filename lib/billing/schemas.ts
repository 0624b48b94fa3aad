// Request and response shapes of the billing summary, settings and plans endpoints. Money is
// integer cents or a decimal string (quantities, unit prices), never a float.
import { z } from "zod";
import { METERS } from "../usage/meters";

const decimal = (what: string) => z.string().regex(/^-?\d+(\.\d+)?$/).describe(what);

export const costLineSchema = z.object({
  meter: z.enum(METERS),
  quantity: decimal("Used in the period so far (meter units)"),
  includedQuantity: decimal("Included in the plan each month; 0 on an API key's cost"),
  billableQuantity: decimal("max(0, quantity − includedQuantity)"),
  unitPriceUsd: decimal("USD per unit"),
  amountCents: z.number().int().describe("billableQuantity × unitPriceUsd in cents, rounded half up once per line"),
});

export const quotaUseSchema = z.object({
  name: z.enum(["running_sessions", "vcpu", "memory_mib", "snapshot_bytes"]),
  limit: z.number(),
  used: z.number(),
});

export const budgetAlertSchema = z.object({
  scope: z.string().describe('"tenant" or the id of the API key whose limit it is'),
  threshold: z.number().int().describe("50, 80 or 100 (percent of the limit)"),
  createdAt: z.string(),
});

export const billingSummarySchema = z.object({
  mode: z.enum(["stripe", "local"]).describe("local: no STRIPE_SECRET_KEY; the same meters and prices, computed here and not charged"),
  charged: z.boolean().describe("Whether Stripe collects this amount (mode stripe)"),
  plan: z.object({ id: z.string(), name: z.string(), monthlyFeeCents: z.number().int() }),
  period: z.object({ start: z.string(), end: z.string() }).describe("The calendar month in UTC (end exclusive)"),
  lines: z.array(costLineSchema),
  usageCents: z.number().int().describe("The sum of the lines"),
  feeCents: z.number().int().describe("The plan's monthly fee"),
  totalCents: z.number().int().describe("usageCents + feeCents: the estimate of this period's bill so far"),
  forecastCents: z.number().int().describe("Usage so far extrapolated linearly to the end of the period, priced the same way, plus the fee"),
  spendCents: z.number().int().describe("What the spend limit is compared with: usageCents (the fixed fee is not counted)"),
  spendLimitCents: z.number().int().nullable(),
  spendLimitReached: z.boolean().describe("New sessions are refused (402 spend_limit_reached) and running ones hibernated"),
  alerts: z.array(budgetAlertSchema).describe("Budget alerts of this period, oldest first"),
  quotas: z.array(quotaUseSchema).describe("Limits of the plan (or this tenant's overrides) and what is in use now"),
  subscriptionStatus: z.string().nullable().describe("The Stripe subscription's status, when there is one"),
});
export type BillingSummary = z.infer<typeof billingSummarySchema>;

export const updateBillingSettingsSchema = z
  .object({
    spendLimitCents: z.number().int().min(0).max(2_000_000_000).nullable().describe("Monthly spend limit in cents; null removes it; 0 stops all new sessions"),
  })
  .strict();
export type UpdateBillingSettingsInput = z.infer<typeof updateBillingSettingsSchema>;

export const planSchema = z.object({
  id: z.string(),
  name: z.string(),
  monthlyFeeCents: z.number().int(),
  prices: z.array(z.object({ meter: z.enum(METERS), unitPriceUsd: decimal("USD per unit"), includedQuantity: decimal("Included each month") })),
  quotas: z.object({
    maxRunningSessions: z.number().int(),
    maxVcpu: z.number(),
    maxMemoryMib: z.number().int(),
    maxSnapshotBytes: z.number().int(),
    maxLifetimeSeconds: z.number().int(),
    logBytesPerSecond: z.number().int().describe("Session log rate limit (output bytes per second, with 10 s of burst)"),
    logMaxBytes: z.number().int().describe("Session log size limit per session (bytes plus 64 per line)"),
  }),
});
export const planListSchema = z.object({ data: z.array(planSchema) });
