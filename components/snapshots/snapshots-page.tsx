"use client";

import { useEffect, useState } from "react";
import type { Snapshot } from "../api-types";
import { usePagedList } from "../console/use-paged-list";
import { useScopes } from "../sessions/use-sessions";
import { Card, PageHeader } from "../ui/card";
import { TextField } from "../ui/field";
import { EmptyState, ErrorState, LoadMore, LoadingState } from "../ui/states";
import { SnapshotsTable } from "./snapshots-table";

const SESSION_ID = /^ses_[0-9A-Z]{26}$/;

export function SnapshotsPage() {
  const scopes = useScopes();
  const [sessionText, setSessionText] = useState("");
  const [sessionId, setSessionId] = useState("");
  useEffect(() => {
    const next = sessionText.trim();
    if (next && !SESSION_ID.test(next)) return;
    const t = setTimeout(() => setSessionId(next), 300);
    return () => clearTimeout(t);
  }, [sessionText]);
  const list = usePagedList<Snapshot>("snapshots", "/snapshots", { limit: 50, sessionId: sessionId || undefined });
  const sessionError = sessionText.trim() && !SESSION_ID.test(sessionText.trim()) ? "A session id looks like ses_01J…" : undefined;

  return (
    <>
      <PageHeader title="Snapshots"
        description="Saved files of sessions: taken by hand as fork points, or when a session hibernates. Fork one to start a new session with its files." />
      <Card>
        <div className="flex flex-wrap items-end justify-between gap-3 border-b border-zinc-200 px-4 py-3 sm:px-5">
          <TextField id="snapshot-session" label="Filter by session" placeholder="ses_…" value={sessionText} autoComplete="off" spellCheck={false}
            onChange={(e) => setSessionText(e.target.value)} error={sessionError} className="w-full sm:w-80" />
          {list.isFetching && !list.isPending && !list.isFetchingNextPage && <span className="text-xs text-zinc-500">Refreshing…</span>}
        </div>
        {list.isPending ? (
          <LoadingState label="Loading snapshots…" />
        ) : list.isError ? (
          <ErrorState error={list.error} onRetry={() => list.refetch()} />
        ) : list.items.length === 0 ? (
          <EmptyState title={sessionId ? "No snapshots of this session" : "No snapshots yet"}>
            Take one from a session&apos;s page, or hibernate a session: its files are kept as a snapshot.
          </EmptyState>
        ) : (
          <>
            <SnapshotsTable snapshots={list.items} canDelete={scopes.snapshotsWrite} canFork={scopes.sessionsWrite} />
            <LoadMore list={list} />
          </>
        )}
      </Card>
    </>
  );
}
