import { Card, CardHeader } from "../ui/card";
import { EmptyState, TableHead, TableWrap, tdClass } from "../ui/states";
import type { BillingSummary } from "./billing-types";
import { meterName, meterUnit } from "./meter-labels";
import { formatCents, formatDecimal, formatUnitPrice } from "./money";

/** The summary's lines as the API priced them: used, included, billable, unit price, amount. */
export function CostLinesCard({ summary }: { summary: BillingSummary }) {
  return (
    <Card className="mt-6" aria-labelledby="cost-lines-title">
      <CardHeader id="cost-lines-title" title="Usage this period"
        description={`Each meter on the ${summary.plan.name} plan: what is included each month is free, the rest is billed at the unit price.`} />
      {summary.lines.length === 0 ? (
        <EmptyState title="No metered usage yet">Running, paused and hibernated sessions show up here within about a minute.</EmptyState>
      ) : (
        <TableWrap label="Cost per meter">
          <TableHead columns={["Meter", "Used", "Included", "Billable", "Unit price", "Amount"]} />
          <tbody className="divide-y divide-zinc-100">
            {summary.lines.map((line) => (
              <tr key={line.meter} data-testid="cost-line" data-meter={line.meter}>
                <td className={tdClass}>
                  <div className="font-medium text-zinc-900">{meterName(line.meter)}</div>
                  <code className="font-mono text-xs text-zinc-500">{line.meter}</code>
                </td>
                <td className={`${tdClass} tabular-nums`}><span data-testid="cost-line-quantity">{formatDecimal(line.quantity)}</span> <span className="text-xs text-zinc-500">{meterUnit(line.meter)}</span></td>
                <td className={`${tdClass} tabular-nums`} data-testid="cost-line-included">{formatDecimal(line.includedQuantity)}</td>
                <td className={`${tdClass} tabular-nums`} data-testid="cost-line-billable">{formatDecimal(line.billableQuantity)}</td>
                <td className={`${tdClass} tabular-nums`} data-testid="cost-line-unit-price">{formatUnitPrice(line.unitPriceUsd)}</td>
                <td className={`${tdClass} text-right font-medium tabular-nums text-zinc-900`} data-testid="cost-line-amount">{formatCents(line.amountCents)}</td>
              </tr>
            ))}
          </tbody>
          <tfoot className="border-t border-zinc-200 bg-zinc-50">
            <TotalRow label="Usage" cents={summary.usageCents} testId="cost-lines-usage" />
            <TotalRow label="Plan fee" cents={summary.feeCents} testId="cost-lines-fee" />
            <TotalRow label="Total so far" cents={summary.totalCents} testId="cost-lines-total" strong />
          </tfoot>
        </TableWrap>
      )}
    </Card>
  );
}

function TotalRow({ label, cents, testId, strong }: { label: string; cents: number; testId: string; strong?: boolean }) {
  return (
    <tr>
      <td colSpan={5} className={`${tdClass} text-right text-xs font-medium uppercase tracking-wide text-zinc-500`}>{label}</td>
      <td className={`${tdClass} text-right tabular-nums ${strong ? "font-semibold text-zinc-900" : ""}`} data-testid={testId}>{formatCents(cents)}</td>
    </tr>
  );
}
