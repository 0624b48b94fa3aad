// GET /api/v1/billing/invoices: Stripe's invoices as mirrored from webhooks (charged) and, in local
// billing mode, our own drafts (never charged), newest period first. In local mode the tenant's
// drafts are brought up to date first, so the current one equals the summary's total.
import type { z } from "zod";
import type { TenantContext } from "../../auth/context";
import { pageArgs, toPage } from "../../api/pagination";
import { billingMode } from "../../env";
import { syncTenantLocalInvoices } from "./local-invoices";
import type { invoiceSchema, listInvoicesQuerySchema } from "./schemas";

type InvoiceRow = {
  id: string; source: string; status: string; periodStart: Date; periodEnd: Date; currency: string;
  totalCents: number; hostedUrl: string | null; pdfUrl: string | null;
};

export function toInvoice(row: InvoiceRow): z.infer<typeof invoiceSchema> {
  return {
    id: row.id,
    source: row.source === "stripe" ? "stripe" : "local",
    status: row.status,
    // Stripe's times are whole seconds; a millisecond may have been added to keep two of its
    // invoices apart (see apply-invoice-event.ts).
    periodStart: (row.source === "stripe" ? new Date(Math.floor(row.periodStart.getTime() / 1000) * 1000) : row.periodStart).toISOString(),
    periodEnd: row.periodEnd.toISOString(),
    currency: row.currency,
    totalCents: row.totalCents,
    charged: row.source === "stripe",
    hostedUrl: row.hostedUrl,
    pdfUrl: row.pdfUrl,
  };
}

export async function listInvoices({ ctx, input }: { ctx: TenantContext; input: z.infer<typeof listInvoicesQuerySchema> }) {
  if (billingMode() === "local" && !input.cursor) await syncTenantLocalInvoices(ctx.tenantId);
  const rows = await ctx.db.invoice.findMany(pageArgs(input));
  return toPage(rows, input, toInvoice);
}
