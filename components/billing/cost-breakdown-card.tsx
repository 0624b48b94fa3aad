"use client";

import Link from "next/link";
import { useState } from "react";
import { useConsole } from "../console/console-context";
import { Button } from "../ui/button";
import { Card, CardHeader } from "../ui/card";
import { EmptyState, ErrorState, LoadingState, TableHead, TableWrap, tdClass } from "../ui/states";
import type { UsageGroupBy, UsageRow } from "./billing-types";
import { meterName, meterUnit } from "./meter-labels";
import { formatCents, formatDecimal } from "./money";
import { useUsage } from "./use-billing";

type Breakdown = Exclude<UsageGroupBy, "meter">;

const VIEWS: { groupBy: Breakdown; label: string; column: string }[] = [
  { groupBy: "session", label: "Per session", column: "Session" },
  { groupBy: "template", label: "Per template", column: "Template" },
  { groupBy: "apiKey", label: "Per API key", column: "API key" },
];

const FIRST_ROWS = 50;
const utcDay = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric", timeZone: "UTC" });

/**
 * Cost per session, template or API key: the usage API's rows (one per day and meter) as it
 * answered them, amounts at the plan's unit prices before included amounts.
 */
export function CostBreakdownCard({ period }: { period: { start: string; end: string } }) {
  const [groupBy, setGroupBy] = useState<Breakdown>("session");
  const view = VIEWS.find((v) => v.groupBy === groupBy)!;
  return (
    <Card className="mt-6" aria-labelledby="breakdown-title">
      <CardHeader id="breakdown-title" title="Cost breakdown"
        description="Usage per day (UTC) and meter, priced at your plan's unit prices before included amounts."
        actions={
          <div role="group" aria-label="Group cost by" className="inline-flex rounded-md shadow-sm">
            {VIEWS.map((v) => (
              <Button key={v.groupBy} size="sm" variant={v.groupBy === groupBy ? "primary" : "secondary"} aria-pressed={v.groupBy === groupBy}
                className="rounded-none first:rounded-l-md last:rounded-r-md" onClick={() => setGroupBy(v.groupBy)}>
                {v.label}
              </Button>
            ))}
          </div>
        } />
      <BreakdownTable key={groupBy} groupBy={groupBy} column={view.column} period={period} />
    </Card>
  );
}

function BreakdownTable({ groupBy, column, period }: { groupBy: Breakdown; column: string; period: { start: string; end: string } }) {
  const usage = useUsage(groupBy, period);
  const [showAll, setShowAll] = useState(false);
  if (usage.isPending) return <LoadingState label="Loading usage…" />;
  if (usage.isError) return <ErrorState error={usage.error} onRetry={() => usage.refetch()} />;
  const rows = sortRows(usage.data.data);
  if (rows.length === 0) return <EmptyState title="No usage this period yet" />;
  const shown = showAll ? rows : rows.slice(0, FIRST_ROWS);
  return (
    <>
      <TableWrap label={`Cost ${VIEWS.find((v) => v.groupBy === groupBy)!.label.toLowerCase()}`}>
        <TableHead columns={[column, "Day", "Meter", "Quantity", "Amount"]} />
        <tbody className="divide-y divide-zinc-100">
          {shown.map((row, i) => (
            <tr key={`${row.key}-${row.start}-${row.meter}-${i}`} data-testid="usage-row" data-key={row.key} data-meter={row.meter} data-start={row.start}>
              <td className={tdClass}>{i > 0 && shown[i - 1].key === row.key ? null : <KeyCell groupBy={groupBy} value={row.key} />}</td>
              <td className={tdClass}>{utcDay.format(new Date(row.start))}</td>
              <td className={tdClass}>{meterName(row.meter)}</td>
              <td className={`${tdClass} tabular-nums`}><span data-testid="usage-row-quantity">{formatDecimal(row.quantity)}</span> <span className="text-xs text-zinc-500">{meterUnit(row.meter)}</span></td>
              <td className={`${tdClass} text-right tabular-nums font-medium text-zinc-900`} data-testid="usage-row-amount">{formatCents(row.amountCents)}</td>
            </tr>
          ))}
        </tbody>
      </TableWrap>
      {rows.length > FIRST_ROWS && (
        <div className="border-t border-zinc-100 p-3 text-center">
          <Button variant="secondary" size="sm" onClick={() => setShowAll((s) => !s)}>{showAll ? "Show fewer" : `Show all ${rows.length} rows`}</Button>
        </div>
      )}
    </>
  );
}

function KeyCell({ groupBy, value }: { groupBy: Breakdown; value: string }) {
  const { tenant } = useConsole();
  if (groupBy === "session") {
    return <Link href={`/t/${tenant.slug}/sessions/${encodeURIComponent(value)}`} className="font-mono text-xs text-indigo-700 hover:underline">{value}</Link>;
  }
  if (groupBy === "apiKey" && value === "console") return <span className="text-zinc-500">Console (no key)</span>;
  return <code className="font-mono text-xs text-zinc-900">{value}</code>;
}

/** Grouped by key (the largest amounts first), then by day, newest first. */
function sortRows(rows: UsageRow[]): UsageRow[] {
  const top = new Map<string, number>();
  for (const r of rows) top.set(r.key, Math.max(top.get(r.key) ?? 0, r.amountCents));
  return [...rows].sort((a, b) =>
    (top.get(b.key)! - top.get(a.key)!) || a.key.localeCompare(b.key) || b.start.localeCompare(a.start) || a.meter.localeCompare(b.meter));
}
