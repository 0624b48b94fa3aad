"use client";

import { useState } from "react";
import { AUDIT_ACTIONS } from "@/lib/audit/actions";
import type { AuditEvent } from "../api-types";
import { usePagedList } from "../console/use-paged-list";
import { formatDateTime, formatRelative } from "../format";
import { Badge } from "../ui/badge";
import { Card, PageHeader } from "../ui/card";
import { SelectField } from "../ui/field";
import { EmptyState, ErrorState, LoadMore, LoadingState, TableHead, TableWrap, tdClass } from "../ui/states";

export function AuditLogPage() {
  const [action, setAction] = useState("");
  const list = usePagedList<AuditEvent>("audit-log", "/audit-log", { limit: 50, action: action || undefined });

  return (
    <>
      <PageHeader title="Audit log" description="Every change to this tenant and every sign-in, newest first. Rows are written in the same transaction as the change." />
      <Card>
        <div className="flex flex-wrap items-end justify-between gap-3 border-b border-zinc-200 px-4 py-3 sm:px-5">
          <SelectField id="audit-action" label="Action" value={action} onChange={(e) => setAction(e.target.value)} className="w-full sm:w-64">
            <option value="">All actions</option>
            {AUDIT_ACTIONS.map((a) => <option key={a} value={a}>{a}</option>)}
          </SelectField>
          {list.isFetching && !list.isFetchingNextPage && !list.isPending && <span className="text-xs text-zinc-500">Refreshing…</span>}
        </div>
        {list.isPending ? (
          <LoadingState label="Loading events…" />
        ) : list.isError ? (
          <ErrorState error={list.error} onRetry={() => list.refetch()} />
        ) : list.items.length === 0 ? (
          <EmptyState title={action ? `No ${action} events` : "No events yet"}>
            {action ? "Try another action, or all actions." : "Changes to keys, members and settings will show up here."}
          </EmptyState>
        ) : (
          <>
            <TableWrap label="Audit events">
              <TableHead columns={["When", "Actor", "Action", "Target", "IP"]} />
              <tbody className="divide-y divide-zinc-100">
                {list.items.map((e) => (
                  <tr key={e.id} data-testid="audit-row">
                    <td className={tdClass} title={formatDateTime(e.createdAt)}>
                      <div className="text-zinc-900">{formatRelative(e.createdAt)}</div>
                      <div className="text-xs text-zinc-500">{formatDateTime(e.createdAt)}</div>
                    </td>
                    <td className={tdClass}>
                      <div className="flex items-center gap-2">
                        <span className={e.actor.type === "key" ? "font-mono text-xs" : ""}>{e.actor.label}{e.actor.type === "key" ? "…" : ""}</span>
                        <Badge tone={e.actor.type === "user" ? "neutral" : e.actor.type === "key" ? "accent" : "amber"}>{e.actor.type}</Badge>
                      </div>
                    </td>
                    <td className={tdClass}><code className="font-mono text-xs text-zinc-900">{e.action}</code>{summary(e) && <div className="text-xs text-zinc-500">{summary(e)}</div>}</td>
                    <td className={tdClass}>
                      {e.target ? <><span className="text-zinc-500">{e.target.type}</span> <code className="font-mono text-xs">{e.target.id}</code></> : "—"}
                    </td>
                    <td className={`${tdClass} font-mono text-xs`}>{e.ip ?? "—"}</td>
                  </tr>
                ))}
              </tbody>
            </TableWrap>
            <LoadMore list={list} endText={`That is everything${action ? ` for ${action}` : ""}.`} />
          </>
        )}
      </Card>
    </>
  );
}

/** A few words from the metadata for the common actions. */
function summary(e: AuditEvent): string | null {
  const m = e.metadata;
  const str = (v: unknown) => (typeof v === "string" ? v : null);
  switch (e.action) {
    case "api_key.created":
    case "api_key.revoked":
      return str(m.name) ? `“${m.name}”` : null;
    case "member.role_changed":
      return `${str(m.email) ?? ""} ${str(m.from) ?? "?"} → ${str(m.to) ?? "?"}`.trim();
    case "member.added":
    case "member.removed":
      return [str(m.email), str(m.role)].filter(Boolean).join(" as ") || null;
    case "invitation.created":
      return str(m.role) ? `as ${m.role}` : null;
    case "auth.sign_in":
      return str(m.method) ? `with ${m.method}` : null;
    case "auth.sign_in_throttled":
      return `${str(m.email) ?? ""}: ${String(m.failures)} failed sign-ins ${m.scope === "address" ? "from this address" : "on this account"} in ${Math.round(Number(m.windowSeconds) / 60)} min`.trim();
    case "tenant.updated": {
      const change = (k: string) => m[k] as { from?: unknown; to?: unknown } | undefined;
      const days = (k: string, what: string) => (change(k) ? `${what} kept ${String(change(k)?.from)} → ${String(change(k)?.to)} days` : null);
      const name = change("name");
      const parts = [
        name ? `renamed ${str(name.from) ?? ""} → ${str(name.to) ?? ""}` : null,
        days("logRetentionDays", "logs and metrics"),
        days("spanRetentionDays", "spans"),
      ].filter(Boolean);
      return parts.length ? parts.join("; ") : null;
    }
    default:
      return null;
  }
}
