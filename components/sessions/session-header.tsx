"use client";

// The session page's sticky header: id, state (and where it is headed), the actions, and the
// figures people look for first: template, resources, age, time used, cost so far.
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import type { ReactNode } from "react";
import type { Session } from "../api-types";
import type { UsageAnswer } from "../billing/billing-types";
import { formatCents } from "../billing/money";
import { useMe, useTenantApi } from "../console/console-context";
import { formatDateTime, formatMib, formatRelative, formatSeconds } from "../format";
import { CopyButton } from "../ui/copy-button";
import { SessionActions } from "./session-actions";
import { isEnded } from "./session-state";
import { SessionStateBadge } from "./session-state-badge";
import type { SessionStreamStatus } from "./use-session-stream";

function Figure({ label, children, title }: { label: string; children: ReactNode; title?: string }) {
  return (
    <div className="min-w-0">
      <dt className="text-xs text-zinc-500">{label}</dt>
      <dd className="truncate text-sm font-medium text-zinc-900 tabular-nums" title={title}>{children}</dd>
    </div>
  );
}

/** What the session has cost so far (the hourly rollups, about a minute behind); null without billing:read. */
function useSessionCost(session: Session): number | null | undefined {
  const { api, key } = useTenantApi();
  const canRead = useMe().data.scopes.includes("billing:read");
  const from = new Date(Date.parse(session.createdAt));
  from.setUTCHours(0, 0, 0, 0);
  const q = useQuery({
    queryKey: key("session", session.id, "cost"),
    queryFn: () => api.get<UsageAnswer>("/usage", { groupBy: "session", granularity: "day", from: from.toISOString(), to: new Date(Date.now() + 86_400_000).toISOString() }),
    enabled: canRead,
    refetchInterval: isEnded(session) ? false : 60_000,
  });
  if (!canRead) return null;
  return q.data ? q.data.data.filter((r) => r.key === session.id).reduce((sum, r) => sum + r.amountCents, 0) : undefined;
}

export function SessionHeader({ session: s, backHref, canWrite, stream, tabs }: {
  session: Session; backHref: string; canWrite: boolean; stream: SessionStreamStatus; tabs: ReactNode;
}) {
  const cost = useSessionCost(s);
  const ended = isEnded(s);
  return (
    <header className="sticky top-[45px] z-20 -mx-4 mb-6 -mt-6 border-b border-zinc-200 bg-white/95 px-4 pt-3 backdrop-blur sm:-mx-6 sm:px-6 md:top-0 lg:-mx-10 lg:-mt-8 lg:px-10" data-testid="session-header">
      <Link href={backHref} className="text-sm font-medium text-indigo-600 hover:underline">← Sessions</Link>
      <div className="mt-1 flex flex-wrap items-center justify-between gap-3">
        <h1 className="flex min-w-0 flex-wrap items-center gap-2 text-lg font-semibold text-zinc-900">
          <span className="font-mono break-all">{s.id}</span>
          <SessionStateBadge state={s.state} />
          {s.desiredState !== s.state && !ended && (
            <span className="text-sm font-normal text-zinc-500" data-testid="session-desired-state">→ {s.desiredState}</span>
          )}
          {!ended && stream === "live" && (
            <span className="inline-flex items-center gap-1 text-xs font-normal text-emerald-700" data-testid="session-live" title="State changes show as they happen">
              <span aria-hidden="true" className="h-1.5 w-1.5 rounded-full bg-emerald-500" /> live
            </span>
          )}
          <CopyButton text={s.id} label="Copy id" />
        </h1>
        {canWrite && <SessionActions session={s} />}
      </div>
      {s.failureReason && <p className="mt-1 text-sm text-red-700" role="alert">Failed: {s.failureReason}</p>}
      <dl className="mt-2 grid grid-cols-2 gap-x-6 gap-y-1 pb-2 sm:grid-cols-3 lg:grid-cols-6" data-testid="session-figures">
        <Figure label="Template">{s.template}</Figure>
        <Figure label="Resources">{s.resources.vcpu} vCPU · {formatMib(s.resources.memoryMib)}{s.resources.gpus > 0 ? ` · ${s.resources.gpus} GPU` : ""}</Figure>
        <Figure label={ended ? "Ran for" : "Age"} title={formatDateTime(s.createdAt)}>
          {formatSeconds(((ended ? Date.parse(s.terminatedAt ?? s.stateChangedAt) : Date.now()) - Date.parse(s.createdAt)) / 1000)}
        </Figure>
        <Figure label="Time used" title="Running and paused time, of its lifetime limit">{formatSeconds(s.lifetimeUsedSeconds)} of {formatSeconds(s.maxLifetimeSeconds)}</Figure>
        <Figure label="In this state" title={formatDateTime(s.stateChangedAt)}>{formatRelative(s.stateChangedAt)}</Figure>
        {cost !== null && <Figure label="Cost so far" title="From the hourly usage rollups, about a minute behind">{cost === undefined ? "…" : formatCents(cost)}</Figure>}
      </dl>
      {tabs}
    </header>
  );
}
