"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { errorMessage } from "../api-client";
import type { Session } from "../api-types";
import { useTenantApi } from "../console/console-context";
import { ConfirmDialog } from "../ui/confirm-dialog";
import { useToast } from "../ui/toast";

/** Terminates each selected session (one request each) and says how many went through. */
export function BulkTerminateDialog({ ids, open, onClose, onDone }: { ids: string[]; open: boolean; onClose: () => void; onDone: (failed: string[]) => void }) {
  const { api, key } = useTenantApi();
  const queryClient = useQueryClient();
  const toast = useToast();
  const terminate = useMutation({
    mutationFn: async (targets: string[]) => {
      const results = await Promise.allSettled(targets.map((id) => api.del<Session>(`/sessions/${encodeURIComponent(id)}`)));
      return targets.map((id, i) => ({ id, result: results[i] }));
    },
    onSuccess: (outcomes) => {
      const failed = outcomes.filter((o) => o.result.status === "rejected");
      const ok = outcomes.length - failed.length;
      if (ok) toast.success(`Terminating ${ok} session${ok === 1 ? "" : "s"}.`);
      for (const f of failed.slice(0, 3)) {
        toast.error(`${f.id}: ${errorMessage((f.result as PromiseRejectedResult).reason)}`);
      }
      void queryClient.invalidateQueries({ queryKey: key("sessions") });
      onDone(failed.map((f) => f.id));
    },
  });

  return (
    <ConfirmDialog
      open={open}
      title={`Terminate ${ids.length} session${ids.length === 1 ? "" : "s"}?`}
      confirmLabel="Terminate"
      pending={terminate.isPending}
      error={terminate.error}
      onCancel={onClose}
      onConfirm={() => terminate.mutate(ids)}
    >
      Their sandboxes are deleted with every file not in a snapshot. This cannot be undone.
      <ul aria-label="Sessions to terminate" tabIndex={0} className="mt-2 max-h-32 overflow-y-auto font-mono text-xs text-zinc-700">
        {ids.map((id) => <li key={id}>{id}</li>)}
      </ul>
    </ConfirmDialog>
  );
}
