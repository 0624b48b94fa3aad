"use client";

import { useState, type FormEvent } from "react";
import { updateBillingSettingsSchema } from "@/lib/billing/schemas";
import { formLevelError } from "../api-client";
import { useCanAdmin } from "../console/console-context";
import { Button } from "../ui/button";
import { Card, CardBody, CardHeader } from "../ui/card";
import type { FieldRule } from "../forms/field-rules";
import { useFieldErrors } from "../forms/use-field-errors";
import { TextField } from "../ui/field";
import { InlineError } from "../ui/states";
import { useToast } from "../ui/toast";
import { centsToDollarsInput, dollarsToCents, formatCents } from "./money";
import { useSaveSpendLimit } from "./use-billing";

const FIELDS = ["spendLimitCents"] as const;
const RULES = {
  spendLimitCents: { schema: updateBillingSettingsSchema.shape.spendLimitCents, label: "Spend limit", unit: "cents" },
} satisfies Record<(typeof FIELDS)[number], FieldRule>;

/** The tenant's monthly spend limit: empty for none. The API validates and says what is wrong. */
export function SpendLimitCard({ spendLimitCents }: { spendLimitCents: number | null }) {
  return (
    <Card className="mt-6" aria-labelledby="spend-limit-title">
      <CardHeader id="spend-limit-title" title="Spend limit"
        description="When this period's usage (the plan fee is not counted) reaches the limit, new sessions are refused and running ones are hibernated until the next period or a higher limit. Budget alerts at 50, 80 and 100 %." />
      <CardBody>
        <SpendLimitForm key={String(spendLimitCents)} spendLimitCents={spendLimitCents} />
      </CardBody>
    </Card>
  );
}

function SpendLimitForm({ spendLimitCents }: { spendLimitCents: number | null }) {
  const canAdmin = useCanAdmin();
  const toast = useToast();
  const save = useSaveSpendLimit();
  const [value, setValue] = useState(spendLimitCents === null ? "" : centsToDollarsInput(spendLimitCents));
  const errors = useFieldErrors(RULES, save.error);
  const initial = spendLimitCents === null ? "" : centsToDollarsInput(spendLimitCents);

  function submit(cents: number | string | null) {
    save.mutate(cents, {
      onSuccess: (summary) => {
        const limit = summary?.spendLimitCents ?? null;
        toast.success(limit === null ? "No monthly spend limit." : `Monthly spend limit set to ${formatCents(limit)}.`);
      },
    });
  }

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    const cents = dollarsToCents(value);
    if (errors.check({ spendLimitCents: cents })) submit(cents);
  }

  return (
    <form onSubmit={onSubmit} className="max-w-md space-y-3" noValidate aria-label="Spend limit">
      <TextField id="spend-limit" label="Monthly spend limit (USD)" inputMode="decimal" placeholder="No limit" value={value}
        onChange={(e) => { errors.clear("spendLimitCents"); setValue(e.target.value); }} disabled={!canAdmin} error={errors.error("spendLimitCents")}
        hint={canAdmin ? "In dollars, e.g. 250 or 99.50. Leave empty for no limit." : "Only owners and admins can change the spend limit."} />
      <InlineError error={formLevelError(save.error, FIELDS)} />
      {canAdmin && (
        <div className="flex gap-2">
          <Button type="submit" pending={save.isPending && save.variables !== null} disabled={value.trim() === initial || save.isPending}>Save spend limit</Button>
          {spendLimitCents !== null && (
            <Button variant="secondary" pending={save.isPending && save.variables === null} disabled={save.isPending} onClick={() => { setValue(""); submit(null); }}>
              Remove limit
            </Button>
          )}
        </div>
      )}
    </form>
  );
}
