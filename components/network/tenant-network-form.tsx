"use client";

// The tenant's default network: what sessions get when neither the session nor its template says
// (PATCH /tenant {network}; owners and admins, audited). It applies to sessions created after it.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { formLevelError } from "../api-client";
import type { TenantSettings } from "../api-types";
import { useCanAdmin, useTenantApi } from "../console/console-context";
import { Button } from "../ui/button";
import { SelectField } from "../ui/field";
import { InlineError } from "../ui/states";
import { useToast } from "../ui/toast";
import { NetworkPolicyFields } from "./network-policy-fields";
import { describeNetwork, draftOf } from "./policy-draft";
import { usePolicyDraft } from "./use-policy-draft";

export function TenantNetworkForm({ tenant }: { tenant: TenantSettings }) {
  const { api, key } = useTenantApi();
  const canAdmin = useCanAdmin();
  const queryClient = useQueryClient();
  const toast = useToast();
  const [choice, setChoice] = useState<"none" | "policy">(tenant.network === "none" ? "none" : "policy");
  const save = useMutation({
    mutationFn: (network: object | "none") => api.patch<TenantSettings>("/tenant", { network }),
    onSuccess: (updated) => {
      queryClient.setQueryData(key("tenant"), updated);
      toast.success(`New sessions get: ${describeNetwork(updated.network).toLowerCase()}.`);
    },
  });
  const policy = usePolicyDraft(draftOf(tenant.network), save.error);

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    const network = choice === "none" ? "none" : policy.validate();
    if (network) save.mutate(network);
  }

  return (
    <form onSubmit={onSubmit} noValidate aria-label="Default network" className="space-y-4">
      <SelectField id="tenant-network" label="Sessions get" value={choice} className="sm:max-w-sm" disabled={!canAdmin}
        onChange={(e) => setChoice(e.target.value as typeof choice)}>
        <option value="none">No network (loopback only)</option>
        <option value="policy">A network with this egress policy…</option>
      </SelectField>
      {choice === "policy" && <NetworkPolicyFields idPrefix="tenant-network" draft={policy.draft} errors={policy.errors} onChange={policy.onChange} disabled={!canAdmin} />}
      <p className="text-xs text-zinc-500">
        Used when neither the session nor its template names a network; sessions created before a change keep theirs.
        {canAdmin ? "" : " Only owners and admins can change this."}
      </p>
      <InlineError error={policy.serverErrorShown ? null : formLevelError(save.error, ["network"])} />
      {canAdmin && <Button type="submit" pending={save.isPending}>Save default network</Button>}
    </form>
  );
}
