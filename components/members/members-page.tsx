"use client";

import type { Member } from "../api-types";
import { useCanAdmin } from "../console/console-context";
import { usePagedList } from "../console/use-paged-list";
import { Card, CardHeader, PageHeader } from "../ui/card";
import { EmptyState, ErrorState, LoadMore, LoadingState } from "../ui/states";
import { InvitationsCard } from "./invitations-card";
import { MembersTable } from "./members-table";

const ROLE_HELP = "Owners and admins manage keys, members and settings; members use sessions and snapshots; viewers only read.";

export function MembersPage() {
  const canAdmin = useCanAdmin();
  const list = usePagedList<Member>("members", "/members", { limit: 100 });
  return (
    <>
      <PageHeader title="Members" description={`People who can sign in to this tenant. ${ROLE_HELP}`} />
      <div className="space-y-6">
        <Card aria-labelledby="members-title">
          <CardHeader id="members-title" title="Members" description={canAdmin ? "Change a role and it applies at once." : "Ask an owner or admin to change roles."} />
          {list.isPending ? (
            <LoadingState label="Loading members…" />
          ) : list.isError ? (
            <ErrorState error={list.error} onRetry={() => list.refetch()} />
          ) : list.items.length === 0 ? (
            <EmptyState title="No members">Every tenant has at least one owner; this should not be empty.</EmptyState>
          ) : (
            <>
              <MembersTable members={list.items} canAdmin={canAdmin} />
              <LoadMore list={list} />
            </>
          )}
        </Card>
        {canAdmin ? (
          <InvitationsCard />
        ) : (
          <p className="rounded-md bg-zinc-100 px-4 py-3 text-sm text-zinc-600">Only owners and admins can invite people.</p>
        )}
      </div>
    </>
  );
}
