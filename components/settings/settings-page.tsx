"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { ApiError, formLevelError } from "../api-client";
import type { Tenant, TenantSettings } from "../api-types";
import { useCanAdmin, useTenantApi } from "../console/console-context";
import { formatDateTime } from "../format";
import { Button } from "../ui/button";
import { Card, CardBody, CardHeader, PageHeader } from "../ui/card";
import { CopyButton } from "../ui/copy-button";
import { ReadOnlyField, TextField } from "../ui/field";
import { ErrorState, InlineError, LoadingState } from "../ui/states";
import { useToast } from "../ui/toast";
import { ConsoleSessionsCard } from "./console-sessions-card";
import { RetentionForm } from "./retention-form";
import { TenantNetworkForm } from "../network/tenant-network-form";

export function SettingsPage() {
  const { api, key } = useTenantApi();
  const tenant = useQuery({ queryKey: key("tenant"), queryFn: () => api.get<TenantSettings>("/tenant") });
  return (
    <>
      <PageHeader title="Settings" description="This tenant's name, identifiers, data retention and default network; your own console sessions." />
      <Card aria-labelledby="general-title">
        <CardHeader id="general-title" title="General" />
        {tenant.isPending ? (
          <LoadingState />
        ) : tenant.isError ? (
          <ErrorState error={tenant.error} onRetry={() => tenant.refetch()} />
        ) : (
          <CardBody><TenantForm tenant={tenant.data} /></CardBody>
        )}
      </Card>
      {tenant.data && (
        <Card className="mt-6" aria-labelledby="retention-title">
          <CardHeader id="retention-title" title="Retention" description="How long this tenant's logs, resource metrics and spans are kept." />
          <CardBody><RetentionForm key={`${tenant.data.logRetentionDays}-${tenant.data.spanRetentionDays}`} tenant={tenant.data} /></CardBody>
        </Card>
      )}
      {tenant.data && (
        <Card className="mt-6" aria-labelledby="network-title">
          <CardHeader id="network-title" title="Default network" description="The network new sessions get when neither they nor their template name one." />
          <CardBody><TenantNetworkForm key={JSON.stringify(tenant.data.network)} tenant={tenant.data} /></CardBody>
        </Card>
      )}
      <ConsoleSessionsCard />
    </>
  );
}

function TenantForm({ tenant }: { tenant: Tenant }) {
  const { api, key } = useTenantApi();
  const canAdmin = useCanAdmin();
  const queryClient = useQueryClient();
  const router = useRouter();
  const toast = useToast();
  const [name, setName] = useState(tenant.name);
  const rename = useMutation({
    mutationFn: () => api.patch<Tenant>("/tenant", { name: name.trim() }),
    onSuccess: (updated) => {
      queryClient.setQueryData(key("tenant"), updated);
      void queryClient.invalidateQueries({ queryKey: key("me") });
      toast.success(`Tenant renamed to “${updated.name}”.`);
      router.refresh(); // the sidebar and tenant switcher come from the server layout
    },
  });
  const err = rename.error instanceof ApiError ? rename.error : null;
  const unchanged = name.trim() === tenant.name;

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    rename.mutate();
  }

  return (
    <div className="max-w-xl space-y-6">
      <form onSubmit={onSubmit} className="space-y-3" noValidate aria-label="Rename tenant">
        <TextField id="tenant-name" label="Tenant name" required maxLength={100} value={name} onChange={(e) => setName(e.target.value)}
          error={err?.fieldError("name")} hint={canAdmin ? "Shown in the console and the tenant switcher." : "Only owners and admins can rename the tenant."} />
        <InlineError error={formLevelError(rename.error, ["name"])} />
        <Button type="submit" pending={rename.isPending} disabled={unchanged || !name.trim()}>Save</Button>
      </form>
      <div className="space-y-4 border-t border-zinc-200 pt-5">
        <ReadOnlyField label="Slug" value={tenant.slug} action={<CopyButton text={tenant.slug} />} />
        <ReadOnlyField label="Tenant ID" value={tenant.id} action={<CopyButton text={tenant.id} />} />
        <p className="text-xs text-zinc-500">
          The slug appears in console URLs and can be sent as <code className="font-mono">X-Burrow-Tenant</code>; it cannot be changed. Created {formatDateTime(tenant.createdAt)}.
        </p>
      </div>
    </div>
  );
}
