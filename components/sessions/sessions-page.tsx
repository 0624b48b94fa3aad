"use client";

import { useRouter } from "next/navigation";
import { useCallback, useMemo, useState } from "react";
import type { SessionListItem } from "../api-types";
import { useConsole } from "../console/console-context";
import { usePagedList } from "../console/use-paged-list";
import { Button } from "../ui/button";
import { Card, CardBody, CardHeader, PageHeader } from "../ui/card";
import { EmptyState, ErrorState, LoadMore, LoadingState } from "../ui/states";
import { useToast } from "../ui/toast";
import { BulkTerminateDialog } from "./bulk-terminate";
import { NewSessionForm } from "./new-session-form";
import { DEFAULT_SESSION_FILTERS, SESSION_SORT_OPTIONS, SessionFilters, type SessionFilterValues } from "./session-filters";
import { canTerminate, pollInterval } from "./session-state";
import { SessionsTable } from "./sessions-table";
import { useScopes, useTemplates } from "./use-sessions";

export function SessionsPage() {
  const { tenant } = useConsole();
  const router = useRouter();
  const toast = useToast();
  const scopes = useScopes();
  const templates = useTemplates();
  const [filters, setFilters] = useState<SessionFilterValues>(DEFAULT_SESSION_FILTERS);
  const [creating, setCreating] = useState(false);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [confirming, setConfirming] = useState(false);
  const [sort, order] = filters.sort.split(":");
  const list = usePagedList<SessionListItem>(
    "sessions", "/sessions",
    {
      limit: 50, q: filters.q || undefined, state: filters.state || undefined, template: filters.template || undefined, label: filters.label || undefined,
      sort, order,
    },
    { refetchInterval: pollInterval },
  );

  // Only rows on screen that can still be terminated stay selected.
  const selectedIds = useMemo(() => list.items.filter((s) => selected.has(s.id) && canTerminate(s)).map((s) => s.id), [list.items, selected]);
  const onSelect = useCallback((ids: string[], on: boolean) => {
    setSelected((prev) => {
      const next = new Set(prev);
      for (const id of ids) if (on) next.add(id); else next.delete(id);
      return next;
    });
  }, []);
  const filtered = Boolean(filters.q || filters.state || filters.template || filters.label);

  return (
    <>
      <PageHeader
        title="Sessions"
        description="Each session is an isolated sandbox for one agent. States update live; paused and hibernated sessions wake when you run a command in them."
        actions={scopes.sessionsWrite && !creating ? <Button onClick={() => setCreating(true)}>New session</Button> : undefined}
      />
      <div className="space-y-6">
        {creating && (
          <Card aria-labelledby="new-session-title">
            <CardHeader id="new-session-title" title="New session" description="Empty fields take the template's defaults."
              actions={<Button variant="ghost" size="sm" onClick={() => setCreating(false)}>Cancel</Button>} />
            <CardBody>
              <NewSessionForm onCreated={(s) => {
                toast.success(`Session ${s.id} is starting.`);
                router.push(`/t/${tenant.slug}/sessions/${s.id}`);
              }} />
            </CardBody>
          </Card>
        )}
        <Card aria-labelledby="sessions-title">
          <CardHeader id="sessions-title" title="All sessions" description={`${SESSION_SORT_OPTIONS.find((o) => o.value === filters.sort)?.label ?? "Newest first"}. Cost is the usage so far at your plan's unit prices.`}
            actions={list.isFetching && !list.isPending && !list.isFetchingNextPage ? <span className="text-xs text-zinc-500">Refreshing…</span> : undefined} />
          <div className="flex flex-wrap items-end justify-between gap-3 border-b border-zinc-200 px-4 py-3 sm:px-5">
            <SessionFilters value={filters} onChange={setFilters} templates={templates.data?.data ?? []} />
            {scopes.sessionsWrite && (
              <div className="flex items-center gap-3">
                <span className="text-xs text-zinc-500" aria-live="polite">{selectedIds.length} selected</span>
                <Button variant="danger" size="sm" disabled={selectedIds.length === 0} onClick={() => setConfirming(true)}>Terminate selected</Button>
              </div>
            )}
          </div>
          {list.isPending ? (
            <LoadingState label="Loading sessions…" />
          ) : list.isError ? (
            <ErrorState error={list.error} onRetry={() => list.refetch()} />
          ) : list.items.length === 0 ? (
            <EmptyState title={filtered ? "No sessions match" : "No sessions yet"}
              action={!filtered && scopes.sessionsWrite && !creating ? <Button onClick={() => setCreating(true)}>New session</Button> : undefined}>
              {filtered ? "Try another search, state, template or label." : "Start one here, or from your agent with POST /api/v1/sessions."}
            </EmptyState>
          ) : (
            <>
              <SessionsTable sessions={list.items} selected={selected} onSelect={onSelect} selectable={scopes.sessionsWrite} />
              <LoadMore list={list} />
            </>
          )}
        </Card>
      </div>
      <BulkTerminateDialog ids={selectedIds} open={confirming} onClose={() => setConfirming(false)}
        onDone={(failed) => { setConfirming(false); setSelected(new Set(failed)); }} />
    </>
  );
}
