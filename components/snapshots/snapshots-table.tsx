"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import type { Snapshot } from "../api-types";
import { useConsole, useTenantApi } from "../console/console-context";
import { formatBytes, formatDate, formatDateTime, formatRelative } from "../format";
import { useForkSnapshot } from "../sessions/use-sessions";
import { Badge } from "../ui/badge";
import { Button } from "../ui/button";
import { ConfirmDialog } from "../ui/confirm-dialog";
import { actionsColumn, TableHead, TableWrap, tdClass } from "../ui/states";
import { useToast } from "../ui/toast";

export function SnapshotsTable({ snapshots, canDelete, canFork }: { snapshots: Snapshot[]; canDelete: boolean; canFork: boolean }) {
  const { tenant } = useConsole();
  const { api, key } = useTenantApi();
  const queryClient = useQueryClient();
  const router = useRouter();
  const toast = useToast();
  const fork = useForkSnapshot();
  const [deleting, setDeleting] = useState<Snapshot | null>(null);
  const remove = useMutation({
    mutationFn: (id: string) => api.del<Snapshot>(`/snapshots/${encodeURIComponent(id)}`),
    onSuccess: (s) => {
      setDeleting(null);
      toast.success(`Snapshot ${s.id} deleted; its storage is freed once no other snapshot shares it.`);
      void queryClient.invalidateQueries({ queryKey: key("snapshots") });
    },
  });
  const sessionLink = (id: string) => (
    <Link href={`/t/${tenant.slug}/sessions/${id}`} className="font-mono text-xs text-indigo-700 hover:underline">{id}</Link>
  );

  return (
    <>
      <TableWrap label="Snapshots">
        <TableHead columns={["Snapshot", "Session", "Size", "Created", actionsColumn]} />
        <tbody className="divide-y divide-zinc-100">
          {snapshots.map((s) => (
            <tr key={s.id} data-testid="snapshot-row" data-snapshot-id={s.id}>
              <td className={tdClass}>
                <code className="font-mono text-xs font-medium text-zinc-900">{s.id}</code>
                <div className="mt-0.5 flex gap-1">
                  <Badge tone={s.reason === "manual" ? "accent" : "blue"}>{s.reason}</Badge>
                  <Badge tone={s.kind === "memory" ? "violet" : "neutral"}>{s.kind}</Badge>
                  {s.status !== "ready" && <Badge tone="amber">{s.status}</Badge>}
                </div>
                {s.parentId && <div className="mt-0.5 text-xs text-zinc-500">from <code className="font-mono">{s.parentId}</code></div>}
              </td>
              <td className={tdClass}>{s.sessionId ? sessionLink(s.sessionId) : "—"}</td>
              <td className={`${tdClass} tabular-nums`}>
                {formatBytes(s.logicalBytes)}
                <div className="text-xs text-zinc-500">{s.fileCount} files · {formatBytes(s.storedBytes)} stored</div>
              </td>
              <td className={tdClass}>
                <span title={formatDateTime(s.createdAt)}>{formatRelative(s.createdAt)}</span>
                <div className="text-xs text-zinc-500" title={formatDateTime(s.expiresAt)}>{s.expiresAt ? `expires ${formatDate(s.expiresAt)}` : "kept until deleted"}</div>
              </td>
              <td className={`${tdClass} text-right`}>
                <div className="flex justify-end gap-2">
                  {canFork && s.status === "ready" && (
                    <Button size="sm" variant="secondary" pending={fork.isPending && fork.variables?.snapshotId === s.id} disabled={fork.isPending}
                      onClick={() => fork.mutate({ snapshotId: s.id }, {
                        onSuccess: (created) => {
                          toast.success(`Forked into ${created.id}.`);
                          router.push(`/t/${tenant.slug}/sessions/${created.id}`);
                        },
                        onError: (err) => toast.error(`Could not fork ${s.id}: ${err.message}`),
                      })}>
                      Fork
                    </Button>
                  )}
                  {canDelete && (
                    <Button size="sm" variant="secondary" className="text-red-700" onClick={() => { remove.reset(); setDeleting(s); }}>Delete</Button>
                  )}
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </TableWrap>
      <ConfirmDialog
        open={deleting !== null}
        title={`Delete snapshot ${deleting?.id ?? ""}?`}
        confirmLabel="Delete snapshot"
        pending={remove.isPending}
        error={remove.error}
        onCancel={() => setDeleting(null)}
        onConfirm={() => deleting && remove.mutate(deleting.id)}
      >
        Sessions can no longer be forked from it. A hibernated session that needs it to wake keeps it; terminate that session first.
      </ConfirmDialog>
    </>
  );
}
