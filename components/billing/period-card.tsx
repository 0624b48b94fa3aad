import type { ReactNode } from "react";
import { Card, CardBody, CardHeader } from "../ui/card";
import type { BillingSummary } from "./billing-types";
import { ModeBadge } from "./mode-badge";
import { formatCents } from "./money";

// Billing periods are calendar months in UTC; shown in UTC so the first and last day are right.
const utcDate = new Intl.DateTimeFormat(undefined, { year: "numeric", month: "short", day: "numeric", timeZone: "UTC" });

/** The period's dates: its end is exclusive (the next period's start), so the last day is the day before. */
export function formatPeriod(period: { start: string; end: string }): string {
  const lastMs = Math.max(Date.parse(period.start), Date.parse(period.end) - 1);
  return `${utcDate.format(new Date(period.start))} – ${utcDate.format(new Date(lastMs))} (UTC)`;
}

/** Plan, period and what it costs so far, with the forecast to the period's end. */
export function PeriodCard({ summary }: { summary: BillingSummary }) {
  return (
    <Card aria-labelledby="period-title">
      <CardHeader id="period-title" title="Current period"
        description={<span data-testid="billing-period">{formatPeriod(summary.period)}</span>}
        actions={<ModeBadge summary={summary} />} />
      <CardBody>
        <dl className="grid grid-cols-2 gap-x-6 gap-y-4 sm:grid-cols-3 lg:grid-cols-6">
          <Figure label="Plan" testId="billing-plan">{summary.plan.name}</Figure>
          <Figure label="Cost so far" testId="billing-total" strong>{formatCents(summary.totalCents)}</Figure>
          <Figure label="Usage" testId="billing-usage">{formatCents(summary.usageCents)}</Figure>
          <Figure label="Plan fee" testId="billing-fee">{formatCents(summary.feeCents)}</Figure>
          <Figure label="Forecast for the period" testId="billing-forecast">{formatCents(summary.forecastCents)}</Figure>
          <Figure label="Spend limit" testId="billing-spend-limit"
            sub={summary.spendLimitCents === null ? undefined : <span data-testid="billing-spend">{formatCents(summary.spendCents)}</span>}>
            {summary.spendLimitCents === null ? "No limit" : formatCents(summary.spendLimitCents)}
          </Figure>
        </dl>
        <p className="mt-4 text-xs text-zinc-500">
          {summary.mode === "local"
            ? "Burrow computes these amounts from metered usage and the price book; nothing is charged. Usage is up to date to the last rollup, about a minute ago."
            : "Usage is pushed to Stripe hourly and charged on your Stripe invoice. Amounts here are up to date to the last rollup, about a minute ago."}
        </p>
      </CardBody>
    </Card>
  );
}

function Figure({ label, testId, strong, sub, children }: { label: string; testId: string; strong?: boolean; sub?: ReactNode; children: ReactNode }) {
  return (
    <div>
      <dt className="text-xs text-zinc-500">{label}</dt>
      <dd className="mt-0.5">
        <span data-testid={testId} className={`tabular-nums ${strong ? "text-lg font-semibold text-zinc-900" : "text-sm font-medium text-zinc-900"}`}>{children}</span>
        {sub && <span className="block text-xs text-zinc-500 tabular-nums">{sub} of usage counted</span>}
      </dd>
    </div>
  );
}
