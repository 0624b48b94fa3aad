"use client";

import { useState } from "react";
import { useCanAdmin } from "../console/console-context";
import { formatBytes, formatMib } from "../format";
import { Badge } from "../ui/badge";
import { Button } from "../ui/button";
import { Card, CardBody, CardHeader } from "../ui/card";
import { ConfirmDialog } from "../ui/confirm-dialog";
import { ErrorState, InlineError, LoadingState } from "../ui/states";
import { useToast } from "../ui/toast";
import type { BillingMode, Plan } from "./billing-types";
import { meterName, meterUnit } from "./meter-labels";
import { formatCents, formatDecimal, formatUnitPrice } from "./money";
import { useBillingPlans, useChangePlan } from "./use-billing";

/** The price book's plans; an admin changes plan here (Stripe Checkout, or at once in local billing). */
export function PlansCard({ currentPlanId, mode }: { currentPlanId: string; mode: BillingMode }) {
  const plans = useBillingPlans();
  const canAdmin = useCanAdmin();
  const toast = useToast();
  const change = useChangePlan();
  // A plan change costs money: it is sent only after the person confirms the plan and its price.
  const [confirming, setConfirming] = useState<Plan | null>(null);
  const current = plans.data?.data.find((p) => p.id === currentPlanId);
  function confirmChange(plan: Plan) {
    change.mutate(plan.id, {
      onSuccess: (answer) => {
        setConfirming(null);
        if (!("url" in answer)) toast.success(`Plan changed to ${plan.name}.`);
      },
    });
  }
  return (
    <Card className="mt-6" aria-labelledby="plans-title">
      <CardHeader id="plans-title" title="Plan"
        description={mode === "stripe" ? "Changing plan opens Stripe Checkout; the new plan applies once Stripe confirms it." : "Local billing: a new plan applies at once (nothing is charged)."} />
      {plans.isPending ? (
        <LoadingState label="Loading plans…" />
      ) : plans.isError ? (
        <ErrorState error={plans.error} onRetry={() => plans.refetch()} />
      ) : (
        <CardBody className="space-y-4">
          <div className="grid grid-cols-1 gap-4 md:grid-cols-3">
            {plans.data.data.map((plan) => (
              <PlanOption key={plan.id} plan={plan} current={plan.id === currentPlanId}
                action={canAdmin && plan.id !== currentPlanId ? (
                  <Button size="sm" variant="secondary" pending={change.isPending && change.variables === plan.id} disabled={change.isPending}
                    onClick={() => { change.reset(); setConfirming(plan); }}>
                    Switch to {plan.name}
                  </Button>
                ) : null} />
            ))}
          </div>
          {!confirming && <InlineError error={change.error} />}
          {!canAdmin && <p className="text-xs text-zinc-500">Only owners and admins can change the plan.</p>}
        </CardBody>
      )}
      <ConfirmDialog
        open={confirming !== null}
        tone="primary"
        title={`Switch to ${confirming?.name ?? ""} for ${confirming ? formatCents(confirming.monthlyFeeCents) : ""} a month?`}
        confirmLabel={mode === "stripe" ? "Continue to payment" : `Switch to ${confirming?.name ?? ""}`}
        pending={change.isPending}
        error={change.error}
        onCancel={() => setConfirming(null)}
        onConfirm={() => confirming && confirmChange(confirming)}
      >
        <span data-testid="plan-change-summary">
          {current ? `From ${current.name} (${formatCents(current.monthlyFeeCents)} a month) to ` : "To "}
          {confirming?.name} ({confirming ? formatCents(confirming.monthlyFeeCents) : ""} a month), plus usage at the new plan&apos;s prices.{" "}
          {mode === "stripe" ? "Stripe Checkout opens next; the plan changes once Stripe confirms the payment." : "Local billing: the plan changes at once and nothing is charged."}
        </span>
      </ConfirmDialog>
    </Card>
  );
}

function PlanOption({ plan, current, action }: { plan: Plan; current: boolean; action: React.ReactNode }) {
  return (
    <section aria-label={`${plan.name} plan`} data-testid="plan-option" data-plan={plan.id}
      className={`flex flex-col rounded-lg border p-4 ${current ? "border-indigo-300 bg-indigo-50/40" : "border-zinc-200"}`}>
      <div className="flex items-center justify-between gap-2">
        <h3 className="text-sm font-semibold text-zinc-900">{plan.name}</h3>
        {current && <Badge tone="accent">Current plan</Badge>}
      </div>
      <p className="mt-1 text-lg font-semibold tabular-nums text-zinc-900">{formatCents(plan.monthlyFeeCents)}<span className="text-xs font-normal text-zinc-500"> / month</span></p>
      <ul className="mt-3 flex-1 space-y-1 text-xs text-zinc-600">
        {plan.prices.map((p) => (
          <li key={p.meter}>
            <span className="font-medium text-zinc-800">{meterName(p.meter)}</span>: {formatUnitPrice(p.unitPriceUsd)} per {singular(meterUnit(p.meter))}
            {/[1-9]/.test(p.includedQuantity) ? `, ${formatDecimal(p.includedQuantity)} included` : ""}
          </li>
        ))}
      </ul>
      <PlanQuotaLine quotas={plan.quotas} />
      {action && <div className="mt-4">{action}</div>}
    </section>
  );
}

/** The plan's main quotas in one line (the keys the price book uses; others are left out). */
function PlanQuotaLine({ quotas }: { quotas: Record<string, number> }) {
  const parts = [
    quotas.maxRunningSessions !== undefined ? `${quotas.maxRunningSessions.toLocaleString()} running sessions` : null,
    quotas.maxVcpu !== undefined ? `${quotas.maxVcpu.toLocaleString()} vCPU` : null,
    quotas.maxMemoryMib !== undefined ? `${formatMib(quotas.maxMemoryMib)} memory` : null,
    quotas.maxSnapshotBytes !== undefined ? `${formatBytes(quotas.maxSnapshotBytes)} snapshots` : null,
  ].filter(Boolean);
  if (parts.length === 0) return null;
  return <p className="mt-3 text-xs text-zinc-500">Up to {parts.join(" · ")}</p>;
}

function singular(unit: string): string {
  return unit.replace(/s$/, "");
}
