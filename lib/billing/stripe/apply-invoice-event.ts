// Stripe invoices mirrored into invoices (source stripe): status, totals, period, the hosted page
// and the PDF. Each invoice row remembers the creation time of the last event applied to it
// (stripeUpdatedAt); an older event arriving late changes nothing.
import type Stripe from "stripe";
import type { TenantTx } from "../../db/tenant-scope";
import { newId } from "../../ids";
import type { EventOutcome, StripeEventInfo } from "./webhook-types";

export const INVOICE_EVENT_TYPES: string[] = [
  "invoice.created",
  "invoice.updated",
  "invoice.finalized",
  "invoice.paid",
  "invoice.payment_failed",
  "invoice.voided",
  "invoice.marked_uncollectible",
];

const INVOICE_STATUSES = new Set(["draft", "open", "paid", "void", "uncollectible"]);

function invoiceLines(invoice: Stripe.Invoice) {
  return (invoice.lines?.data ?? []).map((line) => ({
    description: line.description,
    amountCents: line.amount,
    quantity: line.quantity,
    periodStart: new Date(line.period.start * 1000).toISOString(),
    periodEnd: new Date(line.period.end * 1000).toISOString(),
  }));
}

/**
 * invoices is unique per (tenant, source, period start), made for local drafts (one per month).
 * Two Stripe invoices can start their period at the same second (a subscription's first invoice
 * and its first renewal both start at the subscription's start), and Stripe times are whole
 * seconds while the column keeps milliseconds: the later invoice takes the next free millisecond,
 * so both are kept and both still show the same second.
 */
async function freePeriodStart(tx: TenantTx, periodStart: Date): Promise<Date> {
  const taken = await tx.invoice.findMany({
    where: { source: "stripe", periodStart: { gte: periodStart, lt: new Date(periodStart.getTime() + 1000) } },
    select: { periodStart: true },
  });
  const used = new Set(taken.map((row) => row.periodStart.getTime()));
  let at = periodStart.getTime();
  while (used.has(at)) at += 1;
  return new Date(at);
}

export async function applyInvoiceEvent(tx: TenantTx, tenantId: string, info: StripeEventInfo, invoice: Stripe.Invoice): Promise<EventOutcome> {
  if (!invoice.id) return "ignored";
  const existing = await tx.invoice.findUnique({ where: { stripeInvoiceId: invoice.id } });
  if (existing?.stripeUpdatedAt && info.at < existing.stripeUpdatedAt) return "ignored";
  const status = invoice.status && INVOICE_STATUSES.has(invoice.status) ? invoice.status : existing?.status ?? "draft";
  const data = {
    status,
    periodEnd: new Date(invoice.period_end * 1000),
    currency: invoice.currency,
    totalCents: invoice.total,
    lines: invoiceLines(invoice),
    hostedUrl: invoice.hosted_invoice_url ?? existing?.hostedUrl ?? null,
    pdfUrl: invoice.invoice_pdf ?? existing?.pdfUrl ?? null,
    stripeUpdatedAt: info.at,
  };
  if (existing) {
    await tx.invoice.update({ where: { id: existing.id }, data });
    return "applied";
  }
  const periodStart = await freePeriodStart(tx, new Date(invoice.period_start * 1000));
  // Ids sort by time (lists are newest first by id): take the period's start, so the list is by period.
  await tx.invoice.create({
    data: { id: newId("ivc", periodStart.getTime()), tenantId, stripeInvoiceId: invoice.id, source: "stripe", periodStart, ...data },
  });
  return "applied";
}
