"use client";

import Link from "next/link";
import { ApiError } from "../api-client";
import { useConsole } from "../console/console-context";
import { formatDateTime, formatRelative } from "../format";
import { SessionLogPane } from "../logs/session-log-pane";
import { SessionMetricsCard } from "../metrics/session-metrics-card";
import { Card, PageHeader } from "../ui/card";
import { CopyButton } from "../ui/copy-button";
import { EmptyState, ErrorState, LoadingState } from "../ui/states";
import { CommandBox } from "./command-box";
import { PostMortemCard } from "./post-mortem-card";
import { SessionActions } from "./session-actions";
import { SessionDetailsCard } from "./session-details-card";
import { SessionFiles } from "./session-files";
import { SessionStateBadge } from "./session-state-badge";
import { SessionTerminal } from "./session-terminal";
import { SessionTimeline } from "./session-timeline";
import { SessionTelemetryTimeline } from "../traces/session-telemetry-timeline";
import { SnapshotLineage } from "./snapshot-lineage";
import { useScopes, useSession } from "./use-sessions";

export function SessionDetailPage({ id }: { id: string }) {
  const { tenant } = useConsole();
  const scopes = useScopes();
  const session = useSession(id);
  const back = (
    <Link href={`/t/${tenant.slug}/sessions`} className="mb-3 inline-block text-sm font-medium text-indigo-600 hover:underline">← Sessions</Link>
  );

  if (session.isPending) return <>{back}<Card><LoadingState label="Loading session…" /></Card></>;
  if (session.isError) {
    const missing = session.error instanceof ApiError && session.error.status === 404;
    return (
      <>
        {back}
        <Card>
          {missing ? (
            <EmptyState title="No such session">There is no session <code className="font-mono">{id}</code> in this tenant.</EmptyState>
          ) : (
            <ErrorState error={session.error} onRetry={() => session.refetch()} />
          )}
        </Card>
      </>
    );
  }

  const s = session.data;
  return (
    <>
      {back}
      <PageHeader
        title={
          <span className="flex flex-wrap items-center gap-2">
            <span className="font-mono text-lg break-all">{s.id}</span>
            <SessionStateBadge state={s.state} />
            {s.desiredState !== s.state && s.state !== "terminated" && s.state !== "failed" && (
              <span className="text-sm font-normal text-zinc-500" data-testid="session-desired-state">→ {s.desiredState}</span>
            )}
            <CopyButton text={s.id} label="Copy id" />
          </span>
        }
        description={
          <>
            Template <span className="font-medium text-zinc-700">{s.template}</span> · in this state since{" "}
            <span title={formatDateTime(s.stateChangedAt)}>{formatRelative(s.stateChangedAt)}</span>
            {s.failureReason && <span className="mt-1 block text-red-700" role="alert">Failed: {s.failureReason}</span>}
          </>
        }
        actions={scopes.sessionsWrite ? <SessionActions session={s} /> : undefined}
      />
      <div className="grid grid-cols-1 gap-6 lg:grid-cols-3">
        <div className="min-w-0 space-y-6 lg:col-span-2">
          <CommandBox session={s} canWrite={scopes.sessionsWrite} />
          <SessionTerminal session={s} canWrite={scopes.sessionsWrite} />
          <SessionLogPane session={s} />
          <SessionMetricsCard session={s} />
          <SessionTelemetryTimeline session={s} />
          <SessionFiles session={s} canWrite={scopes.sessionsWrite} />
          <SnapshotLineage session={s} />
        </div>
        <div className="min-w-0 space-y-6">
          {s.postMortem && <PostMortemCard postMortem={s.postMortem} />}
          <SessionDetailsCard session={s} />
          <SessionTimeline session={s} />
        </div>
      </div>
    </>
  );
}
