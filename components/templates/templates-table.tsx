"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import type { Template } from "../api-types";
import { useTenantApi } from "../console/console-context";
import { formatMib, formatSeconds } from "../format";
import { Badge } from "../ui/badge";
import { Button } from "../ui/button";
import { ConfirmDialog } from "../ui/confirm-dialog";
import { actionsColumn, TableHead, TableWrap, tdClass } from "../ui/states";
import { useToast } from "../ui/toast";

export function TemplatesTable({ templates, canAdmin, onEdit }: { templates: Template[]; canAdmin: boolean; onEdit: (t: Template) => void }) {
  const { api, key } = useTenantApi();
  const queryClient = useQueryClient();
  const toast = useToast();
  const [deleting, setDeleting] = useState<Template | null>(null);
  const remove = useMutation({
    mutationFn: (id: string) => api.del<Template>(`/templates/${encodeURIComponent(id)}`),
    onSuccess: (t) => {
      setDeleting(null);
      toast.success(`Template “${t.name}” deleted.`);
      void queryClient.invalidateQueries({ queryKey: key("templates") });
    },
  });

  return (
    <>
      <TableWrap label="Templates">
        <TableHead columns={["Name", "Resources", "Idle: pause / hibernate", "Max lifetime", "Snapshots kept", "Environment", actionsColumn]} />
        <tbody className="divide-y divide-zinc-100">
          {templates.map((t) => (
            <tr key={t.id} data-testid="template-row" data-template-name={t.name}>
              <td className={tdClass}>
                <span className="font-medium text-zinc-900">{t.name}</span>
                {t.builtIn && <Badge tone="accent" className="ml-2">built-in</Badge>}
                <div className="text-xs text-zinc-500">rootfs: {t.rootfs.kind}</div>
              </td>
              <td className={`${tdClass} tabular-nums`}>
                {t.resources.vcpu} vCPU · {formatMib(t.resources.memoryMib)}
                <div className="text-xs text-zinc-500">{formatMib(t.resources.diskMib)} disk{t.resources.gpus ? ` · ${t.resources.gpus} GPU` : ""}</div>
              </td>
              <td className={tdClass}>{formatSeconds(t.idle.pauseAfterSeconds)} / {formatSeconds(t.idle.hibernateAfterSeconds)}</td>
              <td className={tdClass}>{formatSeconds(t.maxLifetimeSeconds)}</td>
              <td className={tdClass}>{t.retentionDays} {t.retentionDays === 1 ? "day" : "days"}</td>
              <td className={`${tdClass} whitespace-normal`}>
                <div className="flex min-w-24 flex-wrap gap-1">
                  {Object.keys(t.env).map((k) => <code key={k} className="rounded bg-zinc-100 px-1.5 py-0.5 font-mono text-[11px] text-zinc-700">{k}</code>)}
                  {Object.keys(t.env).length === 0 && <span className="text-zinc-500">—</span>}
                </div>
              </td>
              <td className={`${tdClass} text-right`}>
                {t.builtIn ? (
                  <span className="text-xs text-zinc-500">read-only</span>
                ) : canAdmin ? (
                  <div className="flex justify-end gap-2">
                    <Button size="sm" variant="secondary" onClick={() => onEdit(t)}>Edit</Button>
                    <Button size="sm" variant="secondary" className="text-red-700" onClick={() => { remove.reset(); setDeleting(t); }}>Delete</Button>
                  </div>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </TableWrap>
      <ConfirmDialog
        open={deleting !== null}
        title={`Delete template “${deleting?.name ?? ""}”?`}
        confirmLabel="Delete template"
        pending={remove.isPending}
        error={remove.error}
        onCancel={() => setDeleting(null)}
        onConfirm={() => deleting && remove.mutate(deleting.id)}
      >
        New sessions can no longer start from it. Sessions already started from it keep running with their settings.
      </ConfirmDialog>
    </>
  );
}
