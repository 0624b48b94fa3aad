"use client";

import { useCanAdmin } from "../console/console-context";
import { Button } from "../ui/button";
import { PageHeader } from "../ui/card";
import { ErrorState, InlineError, LoadingState } from "../ui/states";
import { BillingNotices } from "./billing-notices";
import { CostBreakdownCard } from "./cost-breakdown-card";
import { CostLinesCard } from "./cost-lines-table";
import { InvoicesCard } from "./invoices-card";
import { PeriodCard } from "./period-card";
import { PlansCard } from "./plans-card";
import { QuotaCard } from "./quota-bars";
import { SpendLimitCard } from "./spend-limit-form";
import { UsageChartsCard } from "./usage-charts";
import { useBillingSummary, useOpenPortal } from "./use-billing";

/** The billing portal: every figure is the API's (summary, usage, invoices), formatted, never recomputed. */
export function BillingPage() {
  const summary = useBillingSummary();
  const canAdmin = useCanAdmin();
  const data = summary.data;
  return (
    <>
      <PageHeader title="Billing" description="This period's usage and cost, your plan, spend limit and invoices."
        actions={data?.mode === "stripe" && canAdmin ? <ManageBillingButton /> : undefined} />
      {summary.isPending ? (
        <LoadingState label="Loading billing…" />
      ) : summary.isError ? (
        <ErrorState error={summary.error} onRetry={() => summary.refetch()} />
      ) : (
        <>
          <BillingNotices summary={summary.data} />
          <PeriodCard summary={summary.data} />
          <CostLinesCard summary={summary.data} />
          <QuotaCard quotas={summary.data.quotas} planName={summary.data.plan.name} />
          <UsageSection period={summary.data.period} />
          <PlansCard currentPlanId={summary.data.plan.id} mode={summary.data.mode} />
          <SpendLimitCard spendLimitCents={summary.data.spendLimitCents} />
          <InvoicesCard />
        </>
      )}
    </>
  );
}

function UsageSection({ period }: { period: { start: string; end: string } }) {
  return (
    <>
      <UsageChartsCard period={period} />
      <CostBreakdownCard period={period} />
    </>
  );
}

function ManageBillingButton() {
  const portal = useOpenPortal();
  return (
    <div className="flex flex-col items-end gap-2">
      <Button variant="secondary" pending={portal.isPending} onClick={() => portal.mutate()}>Manage billing</Button>
      <InlineError error={portal.error} />
    </div>
  );
}
