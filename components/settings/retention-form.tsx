"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { updateTenantSchema } from "@/lib/tenants/schemas";
import { formLevelError } from "../api-client";
import type { TenantSettings } from "../api-types";
import { useCanAdmin, useTenantApi } from "../console/console-context";
import { Button } from "../ui/button";
import type { FieldRule } from "../forms/field-rules";
import { useFieldErrors } from "../forms/use-field-errors";
import { TextField } from "../ui/field";
import { InlineError } from "../ui/states";
import { useToast } from "../ui/toast";

const FIELDS = ["logRetentionDays", "spanRetentionDays"] as const;
// Required here: the form always sends both.
const RULES = {
  logRetentionDays: { schema: updateTenantSchema.shape.logRetentionDays.unwrap(), label: "Log retention", unit: "days" },
  spanRetentionDays: { schema: updateTenantSchema.shape.spanRetentionDays.unwrap(), label: "Span retention", unit: "days" },
} satisfies Record<(typeof FIELDS)[number], FieldRule>;
const days = (v: string) => (v.trim() === "" ? undefined : Number(v));

/** How many days logs, resource metrics and spans are kept; the scheduler deletes older rows. */
export function RetentionForm({ tenant }: { tenant: TenantSettings }) {
  const { api, key } = useTenantApi();
  const canAdmin = useCanAdmin();
  const queryClient = useQueryClient();
  const toast = useToast();
  const [logDays, setLogDays] = useState(String(tenant.logRetentionDays));
  const [spanDays, setSpanDays] = useState(String(tenant.spanRetentionDays));
  const save = useMutation({
    // Sent as typed numbers; the API says what is out of range.
    mutationFn: () => api.patch<TenantSettings>("/tenant", { logRetentionDays: Number(logDays), spanRetentionDays: Number(spanDays) }),
    onSuccess: (updated) => {
      queryClient.setQueryData(key("tenant"), updated);
      toast.success(`Logs and metrics are kept ${updated.logRetentionDays} days, spans ${updated.spanRetentionDays} days.`);
    },
  });
  const errors = useFieldErrors(RULES, save.error);
  const unchanged = Number(logDays) === tenant.logRetentionDays && Number(spanDays) === tenant.spanRetentionDays;

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    if (errors.check({ logRetentionDays: days(logDays), spanRetentionDays: days(spanDays) })) save.mutate();
  }

  return (
    <form onSubmit={onSubmit} className="max-w-xl space-y-3" noValidate aria-label="Retention">
      <div className="grid grid-cols-1 gap-4 sm:grid-cols-2">
        <TextField id="log-retention-days" label="Logs and metrics (days)" type="number" inputMode="numeric" min={1} max={365} step={1} required
          value={logDays} onChange={(e) => { errors.clear("logRetentionDays"); setLogDays(e.target.value); }} disabled={!canAdmin} error={errors.error("logRetentionDays")}
          hint="Session logs and CPU, memory and pids samples." />
        <TextField id="span-retention-days" label="Spans (days)" type="number" inputMode="numeric" min={1} max={365} step={1} required
          value={spanDays} onChange={(e) => { errors.clear("spanRetentionDays"); setSpanDays(e.target.value); }} disabled={!canAdmin} error={errors.error("spanRetentionDays")}
          hint="Platform and OpenTelemetry spans." />
      </div>
      <p className="text-xs text-zinc-500">
        1 to 365 days. Older rows are deleted in small batches every few minutes.{canAdmin ? "" : " Only owners and admins can change this."}
      </p>
      <InlineError error={formLevelError(save.error, FIELDS)} />
      {canAdmin && <Button type="submit" pending={save.isPending} disabled={unchanged}>Save retention</Button>}
    </form>
  );
}
