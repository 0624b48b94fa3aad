// Answers of the billing and usage endpoints as the console reads them: the types of the very zod
// schemas that shape the API's responses, so a change there fails the type check here. Money is
// integer cents or a decimal string, never a float.
import type { z } from "zod";
import type { billingSummarySchema, budgetAlertSchema, costLineSchema, planListSchema, planSchema, quotaUseSchema } from "@/lib/billing/schemas";
import type { checkoutResultSchema, invoiceSchema, portalResultSchema } from "@/lib/billing/stripe/schemas";
import type { usageAnswerSchema, usageQuerySchema, usageRowSchema } from "@/lib/usage/schemas";

export type BillingSummary = z.infer<typeof billingSummarySchema>;
export type BillingMode = BillingSummary["mode"];
export type CostLine = z.infer<typeof costLineSchema>;
export type BudgetAlert = z.infer<typeof budgetAlertSchema>;
export type Quota = z.infer<typeof quotaUseSchema>;
export type Plan = z.infer<typeof planSchema>;
export type PlanList = z.infer<typeof planListSchema>;
export type Invoice = z.infer<typeof invoiceSchema>;

export type UsageGroupBy = z.infer<typeof usageQuerySchema>["groupBy"];
export type UsageRow = z.infer<typeof usageRowSchema>;
export type UsageAnswer = z.infer<typeof usageAnswerSchema>;

/** POST /billing/checkout: a Checkout page to go to (Stripe), or the plan already changed (local). */
export type CheckoutAnswer = z.infer<typeof checkoutResultSchema>;
/** POST /billing/portal: a link to Stripe's customer portal. */
export type PortalLink = z.infer<typeof portalResultSchema>;
