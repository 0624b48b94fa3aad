"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import type { ApiKey } from "../api-types";
import { useTenantApi } from "../console/console-context";
import { formatDate, formatDateTime, formatRelative } from "../format";
import { StatusBadge } from "../ui/badge";
import { Button } from "../ui/button";
import { ConfirmDialog } from "../ui/confirm-dialog";
import { actionsColumn, TableHead, TableWrap, tdClass } from "../ui/states";
import { useToast } from "../ui/toast";

export function ApiKeysTable({ keys }: { keys: ApiKey[] }) {
  const { api, key } = useTenantApi();
  const queryClient = useQueryClient();
  const toast = useToast();
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const revoke = useMutation({
    mutationFn: (id: string) => api.del<ApiKey>(`/api-keys/${encodeURIComponent(id)}`),
    onSuccess: (revoked) => {
      setRevoking(null);
      toast.success(`Key “${revoked.name}” revoked; requests with it now fail.`);
      void queryClient.invalidateQueries({ queryKey: key("api-keys") });
    },
  });

  return (
    <>
      <TableWrap label="API keys">
        <TableHead columns={["Name", "Key", "Scopes", "Status", "Created", "Last used", "Expires", actionsColumn]} />
        <tbody className="divide-y divide-zinc-100">
          {keys.map((k) => (
            <tr key={k.id} data-testid="api-key-row" data-key-name={k.name} className={k.status === "active" ? "" : "bg-zinc-50/60 text-zinc-500"}>
              <td className={`${tdClass} font-medium text-zinc-900`}>{k.name}</td>
              <td className={tdClass}><code className="font-mono text-xs">{k.start}…</code></td>
              <td className={`${tdClass} whitespace-normal`}>
                <div className="flex min-w-48 flex-wrap gap-1">
                  {k.scopes.map((s) => <code key={s} className="rounded bg-zinc-100 px-1.5 py-0.5 font-mono text-[11px] text-zinc-700">{s}</code>)}
                </div>
              </td>
              <td className={tdClass}><StatusBadge status={k.status} /></td>
              <td className={tdClass} title={formatDateTime(k.createdAt)}>{formatDate(k.createdAt)}</td>
              <td className={tdClass} title={formatDateTime(k.lastUsedAt)}>{formatRelative(k.lastUsedAt)}</td>
              <td className={tdClass} title={formatDateTime(k.expiresAt)}>{k.expiresAt ? formatDate(k.expiresAt) : "never"}</td>
              <td className={`${tdClass} text-right`}>
                {k.status !== "revoked" && (
                  <Button variant="secondary" size="sm" className="text-red-700" onClick={() => { revoke.reset(); setRevoking(k); }}>
                    Revoke
                  </Button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </TableWrap>
      <ConfirmDialog
        open={revoking !== null}
        title={`Revoke “${revoking?.name ?? ""}”?`}
        confirmLabel="Revoke key"
        pending={revoke.isPending}
        error={revoke.error}
        onCancel={() => setRevoking(null)}
        onConfirm={() => revoking && revoke.mutate(revoking.id)}
      >
        Requests with <code className="font-mono">{revoking?.start}…</code> fail with 401 from now on. This cannot be undone.
      </ConfirmDialog>
    </>
  );
}
