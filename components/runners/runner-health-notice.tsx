"use client";

import { useQuery } from "@tanstack/react-query";
import type { RunnerList } from "../api-types";
import { useTenantApi } from "../console/console-context";

/**
 * Above "Start session": when every live runner registered unable to run sandboxes, their reasons
 * (a missing package with the command that installs it, …), before anyone clicks. The create's own
 * answer says the same; this only saves a click.
 */
export function RunnerHealthNotice() {
  const { api, key } = useTenantApi();
  const runners = useQuery({ queryKey: key("runners"), queryFn: () => api.get<RunnerList>("/runners"), staleTime: 5_000 });
  const live = (runners.data?.data ?? []).filter((r) => r.status === "online");
  if (live.length === 0 || live.some((r) => !r.unhealthyReason)) return null;
  return (
    <div role="status" className="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900 ring-1 ring-inset ring-amber-200" data-testid="runner-health-notice">
      <p className="font-medium">No runner can start sessions right now</p>
      <ul className="mt-1 space-y-1">
        {live.map((r) => <li key={r.id}><span className="font-mono">{r.name}</span>: {r.unhealthyReason}</li>)}
      </ul>
    </div>
  );
}
