"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import type { Session, Snapshot } from "../api-types";
import { useConsole, useTenantApi } from "../console/console-context";
import { formatBytes, formatDateTime, formatRelative } from "../format";
import { Badge } from "../ui/badge";
import { Button } from "../ui/button";
import { Card, CardHeader } from "../ui/card";
import { EmptyState, ErrorState, LoadingState } from "../ui/states";
import { useToast } from "../ui/toast";
import { useForkSnapshot, useScopes, useSessionLineage } from "./use-sessions";

const SNAPSHOTTABLE = ["running", "paused", "hibernated"];

type Node = Snapshot & { children: Node[] };

/** parentId links as a forest, oldest first at every level. */
function toForest(snapshots: Snapshot[]): Node[] {
  const nodes = new Map(snapshots.map((s) => [s.id, { ...s, children: [] as Node[] }]));
  const roots: Node[] = [];
  for (const node of nodes.values()) {
    const parent = node.parentId ? nodes.get(node.parentId) : undefined;
    (parent ? parent.children : roots).push(node);
  }
  return roots;
}

export function SnapshotLineage({ session }: { session: Session }) {
  const { api, key } = useTenantApi();
  const queryClient = useQueryClient();
  const toast = useToast();
  const scopes = useScopes();
  const lineage = useSessionLineage(session.id);
  const take = useMutation({
    mutationFn: () => api.post<Snapshot>(`/sessions/${encodeURIComponent(session.id)}/snapshots`, {}),
    onSuccess: (s) => {
      toast.success(`Snapshot ${s.id} taken (${formatBytes(s.logicalBytes)}, ${s.fileCount} files).`);
      void queryClient.invalidateQueries({ queryKey: key("session", session.id) });
      void queryClient.invalidateQueries({ queryKey: key("snapshots") });
    },
    onError: (err) => toast.error(`Could not take a snapshot: ${err.message}`),
  });
  // The lineage holds this session's snapshots and their ancestors; a fork that has not taken one
  // yet still shows where it came from.
  const fromId = session.fromSnapshotId;
  const missingFrom = Boolean(fromId && lineage.data && !lineage.data.data.some((x) => x.id === fromId));
  const from = useQuery({
    queryKey: key("snapshot", fromId),
    queryFn: () => api.get<Snapshot>(`/snapshots/${encodeURIComponent(fromId ?? "")}`),
    enabled: missingFrom,
    retry: false,
  });
  const snapshots = [...(lineage.data?.data ?? []), ...(missingFrom && from.data ? [from.data] : [])];
  const canTake = scopes.snapshotsWrite && SNAPSHOTTABLE.includes(session.state) && session.desiredState !== "terminated";

  return (
    <Card aria-labelledby="lineage-title">
      <CardHeader id="lineage-title" title="Snapshots" description="This session's snapshots and the ones it was forked from. Fork one to start a new session with its files."
        actions={scopes.snapshotsWrite ? <Button size="sm" variant="secondary" pending={take.isPending} disabled={!canTake} onClick={() => take.mutate()}>Take snapshot</Button> : undefined} />
      {lineage.isPending ? (
        <LoadingState label="Loading snapshots…" />
      ) : lineage.isError ? (
        <ErrorState error={lineage.error} onRetry={() => lineage.refetch()} />
      ) : snapshots.length === 0 ? (
        <EmptyState title="No snapshots yet">Take one to keep this moment of the files, or hibernate the session.</EmptyState>
      ) : (
        <ul className="space-y-1 px-4 py-3 sm:px-5" aria-label="Snapshot lineage">
          {toForest(snapshots).map((n) => <LineageNode key={n.id} node={n} session={session} depth={0} />)}
        </ul>
      )}
    </Card>
  );
}

function LineageNode({ node, session, depth }: { node: Node; session: Session; depth: number }) {
  const { tenant } = useConsole();
  const router = useRouter();
  const toast = useToast();
  const scopes = useScopes();
  const fork = useForkSnapshot();
  const own = node.sessionId === session.id;
  const deleted = node.status === "deleted";

  return (
    <li>
      <div className={`flex flex-wrap items-center justify-between gap-2 rounded-md px-2 py-2 ${own ? "" : "bg-zinc-50"}`} data-testid="lineage-snapshot"
        style={{ marginLeft: `${Math.min(depth, 6) * 1.25}rem` }}>
        <div className="min-w-0 text-sm">
          <div className="flex flex-wrap items-center gap-1.5">
            {depth > 0 && <span aria-hidden="true" className="text-zinc-400">└</span>}
            <code className="font-mono text-xs text-zinc-900">{node.id}</code>
            <Badge tone={node.kind === "memory" ? "violet" : "neutral"}>{node.kind}</Badge>
            <Badge tone={node.reason === "manual" ? "accent" : "blue"}>{node.reason}</Badge>
            {node.status !== "ready" && <Badge tone={deleted ? "red" : "amber"}>{node.status}</Badge>}
            {node.id === session.snapshotId && (session.state === "hibernated" || session.state === "hibernating") && <Badge tone="violet">wakes from this</Badge>}
            {node.id === session.fromSnapshotId && <Badge tone="green">forked from</Badge>}
          </div>
          <div className="mt-0.5 text-xs text-zinc-500">
            <span title={formatDateTime(node.createdAt)}>{formatRelative(node.createdAt)}</span>
            {" · "}{formatBytes(node.logicalBytes)} in {node.fileCount} files ({formatBytes(node.storedBytes)} stored)
            {!own && node.sessionId && (
              <> · of <Link className="font-mono text-indigo-700 hover:underline" href={`/t/${tenant.slug}/sessions/${node.sessionId}`}>{node.sessionId}</Link></>
            )}
          </div>
        </div>
        {scopes.sessionsWrite && node.status === "ready" && (
          <Button size="sm" variant="secondary" pending={fork.isPending}
            onClick={() => fork.mutate({ snapshotId: node.id, template: session.template }, {
              onSuccess: (s) => {
                toast.success(`Forked into ${s.id}.`);
                router.push(`/t/${tenant.slug}/sessions/${s.id}`);
              },
              onError: (err) => toast.error(`Could not fork: ${err.message}`),
            })}>
            Fork
          </Button>
        )}
      </div>
      {node.children.length > 0 && (
        <ul className="space-y-1">{node.children.map((c) => <LineageNode key={c.id} node={c} session={session} depth={depth + 1} />)}</ul>
      )}
    </li>
  );
}
