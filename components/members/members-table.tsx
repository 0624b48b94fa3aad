"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { ROLES, type Role } from "@/lib/auth/scopes";
import type { Member } from "../api-types";
import { useConsole, useTenantApi } from "../console/console-context";
import { formatDate, formatDateTime } from "../format";
import { Badge, RoleBadge } from "../ui/badge";
import { Button, Spinner } from "../ui/button";
import { ConfirmDialog } from "../ui/confirm-dialog";
import { actionsColumn, TableHead, TableWrap, tdClass } from "../ui/states";
import { useToast } from "../ui/toast";

export function MembersTable({ members, canAdmin }: { members: Member[]; canAdmin: boolean }) {
  const { user } = useConsole();
  const { api, key } = useTenantApi();
  const queryClient = useQueryClient();
  const router = useRouter();
  const toast = useToast();
  const [removing, setRemoving] = useState<Member | null>(null);

  const afterChange = (member: Member) => {
    void queryClient.invalidateQueries({ queryKey: key("members") });
    if (member.userId === user.id) {
      // My own role changed: the layout and my scopes must be read again.
      void queryClient.invalidateQueries({ queryKey: key("me") });
      router.refresh();
    }
  };
  const changeRole = useMutation({
    mutationFn: ({ id, role }: { id: string; role: Role }) => api.patch<Member>(`/members/${encodeURIComponent(id)}`, { role }),
    onSuccess: (m) => {
      toast.success(`${m.email} is now ${m.role}.`);
      afterChange(m);
    },
    onError: (err) => toast.error(`Could not change the role: ${err.message}`),
  });
  const remove = useMutation({
    mutationFn: (id: string) => api.del<Member>(`/members/${encodeURIComponent(id)}`),
    onSuccess: (m) => {
      setRemoving(null);
      if (m.userId === user.id) {
        router.push("/");
        router.refresh();
        return;
      }
      toast.success(`${m.email} was removed from this tenant.`);
      afterChange(m);
    },
  });

  return (
    <>
      <TableWrap label="Members">
        <TableHead columns={["Member", "Role", "Joined", actionsColumn]} />
        <tbody className="divide-y divide-zinc-100">
          {members.map((m) => {
            const pendingRole = changeRole.isPending && changeRole.variables?.id === m.id;
            return (
              <tr key={m.id} data-testid="member-row" data-email={m.email}>
                <td className={tdClass}>
                  <div className="font-medium text-zinc-900">
                    {m.email} {m.userId === user.id && <Badge tone="accent" className="ml-1">you</Badge>}
                  </div>
                  {m.name && <div className="text-xs text-zinc-500">{m.name}</div>}
                </td>
                <td className={tdClass}>
                  {canAdmin ? (
                    <div className="flex items-center gap-2">
                      <select
                        aria-label={`Role for ${m.email}`}
                        value={pendingRole ? changeRole.variables!.role : m.role}
                        disabled={pendingRole}
                        onChange={(e) => changeRole.mutate({ id: m.id, role: e.target.value as Role })}
                        className="rounded-md border-0 bg-white py-1 pr-7 pl-2 text-sm ring-1 ring-inset ring-zinc-300 focus:ring-2 focus:ring-indigo-600 disabled:opacity-60"
                      >
                        {ROLES.map((r) => <option key={r} value={r}>{r}</option>)}
                      </select>
                      {pendingRole && <Spinner className="h-3.5 w-3.5 text-zinc-400" />}
                    </div>
                  ) : (
                    <RoleBadge role={m.role} />
                  )}
                </td>
                <td className={tdClass} title={formatDateTime(m.createdAt)}>{formatDate(m.createdAt)}</td>
                <td className={`${tdClass} text-right`}>
                  {canAdmin && (
                    <Button variant="secondary" size="sm" className="text-red-700" onClick={() => { remove.reset(); setRemoving(m); }}>
                      {m.userId === user.id ? "Leave" : "Remove"}
                    </Button>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </TableWrap>
      <ConfirmDialog
        open={removing !== null}
        title={removing?.userId === user.id ? "Leave this tenant?" : `Remove ${removing?.email ?? ""}?`}
        confirmLabel={removing?.userId === user.id ? "Leave tenant" : "Remove member"}
        pending={remove.isPending}
        error={remove.error}
        onCancel={() => setRemoving(null)}
        onConfirm={() => removing && remove.mutate(removing.id)}
      >
        {removing?.userId === user.id
          ? "You lose access to this tenant's keys, sessions and settings until someone invites you again."
          : "They lose access to this tenant at once. API keys they created keep working; revoke them separately if needed."}
      </ConfirmDialog>
    </>
  );
}
