"use client";

// The Network tab's activity card (sessions with a network): bytes sent (the egress meter) and
// received, and the egress flight recorder's latest DNS lookups and connection attempts with the
// rule that decided each, filterable by verdict. Refreshed every 5 s while the session lives.
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import type { z } from "zod";
import type { networkEventPageSchema } from "@/lib/network/schemas";
import type { Session } from "../api-types";
import { useTenantApi } from "../console/console-context";
import { formatBytes, formatDateTime } from "../format";
import { Card, CardBody, CardHeader } from "../ui/card";
import { ErrorState, LoadingState } from "../ui/states";
import { isEnded } from "../sessions/session-state";

type NetworkEventPage = z.infer<typeof networkEventPageSchema>;
type NetworkEvent = NetworkEventPage["data"][number];

const RULE_NAMES: Record<string, string> = { always_blocked: "always blocked", deny_out: "denyOut", allow_out: "allowOut", egress: "egress default" };

function what(e: NetworkEvent): string {
  if (e.kind === "dropped") return `${e.count} events left out (rate limit)`;
  if (e.kind === "dns") return `${e.queryType ?? "lookup"} ${e.name}${e.answers.length ? ` → ${e.answers.join(", ")}` : ""}`;
  return `${e.protocol ?? "ip"} ${e.destination}${e.port ? `:${e.port}` : ""}`;
}

export function SessionNetworkActivity({ session: s }: { session: Session }) {
  const { api, key } = useTenantApi();
  const [verdict, setVerdict] = useState<"" | "allowed" | "denied">("");
  const q = useQuery({
    queryKey: key("session", s.id, "network-events", verdict),
    queryFn: () => api.get<NetworkEventPage>(`/sessions/${encodeURIComponent(s.id)}/network/events`, { limit: "20", ...(verdict ? { verdict } : {}) }),
    refetchInterval: isEnded(s) ? false : 5_000,
    enabled: s.network !== "none",
  });
  if (s.network === "none") return null;
  const filter = (
    <label className="text-xs text-zinc-500">
      <span className="sr-only">Show</span>
      <select aria-label="Network events to show" value={verdict} onChange={(e) => setVerdict(e.target.value as typeof verdict)} className="rounded border border-zinc-300 px-1.5 py-1 text-xs text-zinc-700">
        <option value="">All</option>
        <option value="denied">Denied</option>
        <option value="allowed">Allowed</option>
      </select>
    </label>
  );
  return (
    <Card aria-labelledby="network-activity-title">
      <CardHeader id="network-activity-title" title="Activity" description="Egress metered in the kernel; lookups and connection attempts with the rule that decided" actions={filter} />
      <CardBody>
        {q.isPending ? <LoadingState label="Loading network activity…" /> : q.isError ? <ErrorState error={q.error} onRetry={() => q.refetch()} /> : (
          <>
            <dl className="mb-3 grid grid-cols-2 gap-2 text-sm" data-testid="session-network-bytes">
              <div><dt className="text-xs text-zinc-500">Sent (egress)</dt><dd className="font-medium tabular-nums">{formatBytes(Number(q.data.bytesOut))}</dd></div>
              <div><dt className="text-xs text-zinc-500">Received</dt><dd className="font-medium tabular-nums">{formatBytes(Number(q.data.bytesIn))}</dd></div>
            </dl>
            {q.data.data.length === 0 ? <p className="text-sm text-zinc-500">No lookups or connection attempts recorded yet.</p> : (
              <ul className="divide-y divide-zinc-100 text-xs" aria-label="Network events" data-testid="session-network-events">
                {q.data.data.map((e) => (
                  <li key={e.id} className="flex items-baseline gap-2 py-1.5">
                    <span className={`shrink-0 rounded px-1.5 py-0.5 font-medium ${e.verdict === "denied" ? "bg-red-50 text-red-700" : e.verdict === "allowed" ? "bg-emerald-50 text-emerald-700" : "bg-zinc-100 text-zinc-600"}`}>
                      {e.verdict ?? "dropped"}
                    </span>
                    <span className="min-w-0 flex-1 truncate font-mono text-zinc-800" title={what(e)}>{what(e)}</span>
                    {e.rule && <span className="shrink-0 text-zinc-500" title={e.entry ?? undefined}>{RULE_NAMES[e.rule] ?? e.rule}{e.entry ? ` ${e.entry}` : ""}</span>}
                    <time className="shrink-0 text-zinc-500" dateTime={e.at} title={formatDateTime(e.at)}>{new Date(e.at).toLocaleTimeString()}</time>
                  </li>
                ))}
              </ul>
            )}
          </>
        )}
      </CardBody>
    </Card>
  );
}
