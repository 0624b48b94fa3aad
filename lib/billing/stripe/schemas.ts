import { z } from "zod";
import { pageQuerySchema, pageSchema } from "../../api/pagination";

export const checkoutSchema = z
  .object({ planId: z.string().trim().min(1).max(64).describe("The plan to change to (see GET /api/v1/billing/plans)") })
  .strict();

export const checkoutResultSchema = z.union([
  z.object({ url: z.string().describe("Stripe Checkout: send the person here to subscribe to the plan") }),
  z.object({ planId: z.string(), applied: z.literal(true).describe("Local billing mode: the plan changed at once") }),
]);

export const portalResultSchema = z.object({ url: z.string().describe("Stripe's customer portal for this tenant (short-lived)") });

export const listInvoicesQuerySchema = pageQuerySchema;

export const invoiceSchema = z.object({
  id: z.string(),
  source: z.enum(["stripe", "local"]).describe("stripe: mirrored from Stripe; local: our own draft in local billing mode"),
  status: z.string().describe("draft | open | paid | void | uncollectible"),
  periodStart: z.string(),
  periodEnd: z.string(),
  currency: z.string(),
  totalCents: z.number().int(),
  charged: z.boolean().describe("True only for invoices Stripe collects; local drafts are estimates, never charged"),
  hostedUrl: z.string().nullable(),
  pdfUrl: z.string().nullable(),
});
export const invoicePageSchema = pageSchema(invoiceSchema);

export const stripeWebhookResultSchema = z.object({
  received: z.literal(true),
  outcome: z.enum(["applied", "ignored", "duplicate"]).describe("duplicate: this event id was already processed"),
});
