"use client";

import { useState } from "react";
import type { ApiKey, CreatedApiKey } from "../api-types";
import { useCanAdmin, useMe } from "../console/console-context";
import { usePagedList } from "../console/use-paged-list";
import { Card, CardBody, CardHeader, PageHeader } from "../ui/card";
import { EmptyState, ErrorState, LoadMore, LoadingState } from "../ui/states";
import { ApiKeysTable } from "./api-keys-table";
import { CreateApiKeyForm } from "./create-api-key-form";
import { NewKeyReveal } from "./new-key-reveal";

export function ApiKeysPage() {
  const canAdmin = useCanAdmin();
  const role = useMe().data.role;
  const list = usePagedList<ApiKey>("api-keys", "/api-keys", { limit: 50 });
  const [created, setCreated] = useState<CreatedApiKey | null>(null);

  return (
    <>
      <PageHeader
        title="API keys"
        description="Keys let agents, scripts and CI call the Burrow API for this tenant. They belong to the tenant, not to you, and carry only the scopes you pick."
      />
      <div className="space-y-6">
        {created && <NewKeyReveal apiKey={created} onDismiss={() => setCreated(null)} />}
        <Card aria-labelledby="create-key-title">
          <CardHeader id="create-key-title" title="Create a key"
            description={canAdmin
              ? "The secret is shown once, right after you create the key."
              : `The secret is shown once, right after you create the key. As ${role === "viewer" ? "a viewer" : `a ${role ?? "member"}`} you can give a key the scopes your role holds.`} />
          <CardBody><CreateApiKeyForm onCreated={setCreated} /></CardBody>
        </Card>
        <Card aria-labelledby="keys-title">
          <CardHeader id="keys-title" title={canAdmin ? "Keys" : "Your keys"}
            description={canAdmin
              ? "Revoked and expired keys stay listed for the record."
              : "The keys you created; you can revoke them. Owners and admins see and manage every key of the tenant."} />
          {list.isPending ? (
            <LoadingState label="Loading keys…" />
          ) : list.isError ? (
            <ErrorState error={list.error} onRetry={() => list.refetch()} />
          ) : list.items.length === 0 ? (
            <EmptyState title="No API keys yet">
              Create a key above, give it to your agent as <code className="font-mono">Authorization: Bearer bur_…</code>, and it can start sessions in this tenant.
            </EmptyState>
          ) : (
            <>
              {/* The API lists only keys the caller may revoke: all for admins, their own for others. */}
              <ApiKeysTable keys={list.items} />
              <LoadMore list={list} />
            </>
          )}
        </Card>
      </div>
    </>
  );
}
