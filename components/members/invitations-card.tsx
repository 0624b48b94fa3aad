"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { ROLES, type Role } from "@/lib/auth/scopes";
import { ApiError, formLevelError } from "../api-client";
import type { CreatedInvitation, Invitation, InvitationList } from "../api-types";
import { useTenantApi } from "../console/console-context";
import { formatDate, formatDateTime } from "../format";
import { RoleBadge } from "../ui/badge";
import { Button } from "../ui/button";
import { Card, CardBody, CardHeader } from "../ui/card";
import { ConfirmDialog } from "../ui/confirm-dialog";
import { CopyButton } from "../ui/copy-button";
import { SelectField, TextField } from "../ui/field";
import { actionsColumn, EmptyState, ErrorState, InlineError, LoadingState, TableHead, TableWrap, tdClass } from "../ui/states";
import { useToast } from "../ui/toast";

export function InvitationsCard() {
  const { api, key } = useTenantApi();
  const queryClient = useQueryClient();
  const toast = useToast();
  const [role, setRole] = useState<Role>("member");
  const [email, setEmail] = useState("");
  const [created, setCreated] = useState<CreatedInvitation | null>(null);
  const [revoking, setRevoking] = useState<Invitation | null>(null);

  const list = useQuery({ queryKey: key("invitations"), queryFn: () => api.get<InvitationList>("/invitations") });
  const create = useMutation({
    mutationFn: () => api.post<CreatedInvitation>("/invitations", { role, ...(email.trim() ? { email: email.trim() } : {}) }),
    onSuccess: (inv) => {
      setCreated(inv);
      setEmail("");
      void queryClient.invalidateQueries({ queryKey: key("invitations") });
    },
  });
  const revoke = useMutation({
    mutationFn: (id: string) => api.del<Invitation>(`/invitations/${encodeURIComponent(id)}`),
    onSuccess: () => {
      setRevoking(null);
      toast.success("Invitation revoked; its link no longer works.");
      void queryClient.invalidateQueries({ queryKey: key("invitations") });
    },
  });
  const err = create.error instanceof ApiError ? create.error : null;

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    create.mutate();
  }

  return (
    <Card aria-labelledby="invitations-title">
      <CardHeader id="invitations-title" title="Invitations" description="Invite people with a link. Anyone with the link can join once, until it expires (7 days)." />
      <CardBody className="space-y-4 border-b border-zinc-200">
        <form onSubmit={onSubmit} className="flex flex-col gap-3 sm:flex-row sm:items-end" noValidate aria-label="Create invitation">
          <SelectField id="invite-role" label="Invite role" value={role} onChange={(e) => setRole(e.target.value as Role)} className="sm:w-40">
            {ROLES.map((r) => <option key={r} value={r}>{r}</option>)}
          </SelectField>
          <TextField id="invite-email" label="Email (optional, for your records)" type="email" value={email}
            onChange={(e) => setEmail(e.target.value)} error={err?.fieldError("email")} className="sm:flex-1" />
          <Button type="submit" pending={create.isPending}>Create invite link</Button>
        </form>
        <InlineError error={formLevelError(create.error, ["email"])} />
        {created && (
          <div className="rounded-md border border-amber-300 bg-amber-50 p-3" data-testid="new-invite-panel">
            <p className="text-sm font-medium text-amber-900">Invite link for a new {created.role} — copy it now; it is shown only once.</p>
            <div className="mt-2 flex flex-col gap-2 sm:flex-row sm:items-center">
              <code data-testid="new-invite-url" className="block min-w-0 flex-1 overflow-x-auto rounded bg-white px-3 py-2 font-mono text-xs break-all ring-1 ring-amber-300 select-all">{created.url}</code>
              <div className="flex gap-2">
                <CopyButton text={created.url} label="Copy link" size="md" />
                <Button variant="ghost" onClick={() => setCreated(null)}>Done</Button>
              </div>
            </div>
          </div>
        )}
      </CardBody>
      {list.isPending ? (
        <LoadingState label="Loading invitations…" />
      ) : list.isError ? (
        <ErrorState error={list.error} onRetry={() => list.refetch()} />
      ) : list.data.data.length === 0 ? (
        <EmptyState title="No pending invitations">Links that were accepted, revoked or have expired are not listed.</EmptyState>
      ) : (
        <TableWrap label="Pending invitations">
          <TableHead columns={["Role", "Email", "Created", "Expires", actionsColumn]} />
          <tbody className="divide-y divide-zinc-100">
            {list.data.data.map((inv) => (
              <tr key={inv.id} data-testid="invitation-row">
                <td className={tdClass}><RoleBadge role={inv.role} /></td>
                <td className={tdClass}>{inv.email ?? <span className="text-zinc-500">—</span>}</td>
                <td className={tdClass} title={formatDateTime(inv.createdAt)}>{formatDate(inv.createdAt)}</td>
                <td className={tdClass} title={formatDateTime(inv.expiresAt)}>{formatDate(inv.expiresAt)}</td>
                <td className={`${tdClass} text-right`}>
                  <Button variant="secondary" size="sm" className="text-red-700" onClick={() => { revoke.reset(); setRevoking(inv); }}>Revoke</Button>
                </td>
              </tr>
            ))}
          </tbody>
        </TableWrap>
      )}
      <ConfirmDialog
        open={revoking !== null}
        title="Revoke this invitation?"
        confirmLabel="Revoke invitation"
        pending={revoke.isPending}
        error={revoke.error}
        onCancel={() => setRevoking(null)}
        onConfirm={() => revoking && revoke.mutate(revoking.id)}
      >
        Its link stops working at once. People who already joined stay members.
      </ConfirmDialog>
    </Card>
  );
}
