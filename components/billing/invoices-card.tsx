"use client";

import { usePagedList } from "../console/use-paged-list";
import { Badge } from "../ui/badge";
import { Card, CardHeader } from "../ui/card";
import { EmptyState, ErrorState, LoadMore, LoadingState, TableHead, TableWrap, tdClass } from "../ui/states";
import type { Invoice } from "./billing-types";
import { formatPeriod } from "./period-card";
import { formatCents } from "./money";

const STATUS_TONES: Record<string, "green" | "blue" | "amber" | "red" | "neutral"> = {
  paid: "green", open: "blue", draft: "neutral", uncollectible: "red", void: "neutral",
};

/** Invoices: Stripe's (with their hosted page and PDF) or, in local billing, Burrow's drafts. */
export function InvoicesCard() {
  const invoices = usePagedList<Invoice>("billing-invoices", "/billing/invoices");
  return (
    <Card className="mt-6" aria-labelledby="invoices-title">
      <CardHeader id="invoices-title" title="Invoices" description="One per billing period. Local drafts are Burrow's own estimates and are never charged." />
      {invoices.isPending ? (
        <LoadingState label="Loading invoices…" />
      ) : invoices.isError ? (
        <ErrorState error={invoices.error} onRetry={() => invoices.refetch()} />
      ) : invoices.items.length === 0 ? (
        <EmptyState title="No invoices yet">The first one is drafted when the current period closes.</EmptyState>
      ) : (
        <>
          <TableWrap label="Invoices">
            <TableHead columns={["Period", "Status", "Total", "Documents"]} />
            <tbody className="divide-y divide-zinc-100">
              {invoices.items.map((inv) => (
                <tr key={inv.id} data-testid="invoice-row" data-invoice-id={inv.id}>
                  <td className={tdClass}>
                    {formatPeriod({ start: inv.periodStart, end: inv.periodEnd })}
                    <div className="text-xs text-zinc-500">{inv.source === "stripe" ? "Stripe invoice" : "Local draft"}</div>
                  </td>
                  <td className={tdClass}>
                    <span className="inline-flex gap-1">
                      <Badge tone={STATUS_TONES[inv.status] ?? "neutral"}>{inv.status}</Badge>
                      {!inv.charged && <Badge tone="amber">not charged</Badge>}
                    </span>
                  </td>
                  <td className={`${tdClass} tabular-nums font-medium text-zinc-900`} data-testid="invoice-total">
                    {formatCents(inv.totalCents)} {inv.currency && inv.currency.toLowerCase() !== "usd" ? inv.currency.toUpperCase() : ""}
                  </td>
                  <td className={tdClass}>
                    <span className="flex gap-3">
                      {inv.hostedUrl && <a className="text-indigo-700 hover:underline" href={inv.hostedUrl} target="_blank" rel="noreferrer">View invoice</a>}
                      {inv.pdfUrl && <a className="text-indigo-700 hover:underline" href={inv.pdfUrl} target="_blank" rel="noreferrer">PDF</a>}
                      {!inv.hostedUrl && !inv.pdfUrl && <span className="text-zinc-500">—</span>}
                    </span>
                  </td>
                </tr>
              ))}
            </tbody>
          </TableWrap>
          <LoadMore list={invoices} />
        </>
      )}
    </Card>
  );
}
