"use client";

import { useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { HEARTBEAT_INTERVAL_MS, HEARTBEAT_TIMEOUT_SECONDS } from "@/lib/runners/liveness";
import type { Runner, RunnerList } from "../api-types";
import { useTenantApi } from "../console/console-context";
import { formatDateTime, formatMib, formatRelative, formatSeconds } from "../format";
import { Badge } from "../ui/badge";
import { Card, CardBody, CardHeader, PageHeader } from "../ui/card";
import { EmptyState, ErrorState, LoadingState } from "../ui/states";
import { UsageBar } from "./usage-bar";

type Health = { label: string; tone: "green" | "amber" | "red" | "neutral"; text: string };

/** Health from the status and how long ago the runner last said it is alive. */
export function runnerHealth(r: Runner, now: number): Health {
  const age = Math.max(0, (now - new Date(r.lastHeartbeatAt).getTime()) / 1000);
  const ago = `last heartbeat ${formatSeconds(age)} ago`;
  if (r.status === "lost") return { label: "lost", tone: "red", text: `Declared lost; ${ago}. Its sessions were hibernated or failed.` };
  if (r.status === "offline") return { label: "offline", tone: "neutral", text: `Stopped cleanly; ${ago}.` };
  if (r.unhealthyReason) return { label: "cannot run sandboxes", tone: "red", text: `${ago}. No session is placed here until this is fixed and Burrow restarted.` };
  if (age <= (3 * HEARTBEAT_INTERVAL_MS) / 1000) return { label: "healthy", tone: "green", text: ago };
  if (age <= HEARTBEAT_TIMEOUT_SECONDS) return { label: "late", tone: "amber", text: `${ago}; lost after ${HEARTBEAT_TIMEOUT_SECONDS} s` };
  return { label: "unresponsive", tone: "red", text: `${ago}; about to be declared lost` };
}

function useNow(everyMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(t);
  }, [everyMs]);
  return now;
}

export function RunnersPage() {
  const { api, key } = useTenantApi();
  const runners = useQuery({ queryKey: key("runners"), queryFn: () => api.get<RunnerList>("/runners"), refetchInterval: 5_000 });
  const now = useNow(1_000);

  return (
    <>
      <PageHeader title="Runners" description="The hosts sandboxes run on: their capacity, what is placed on them now (across all tenants), and whether they are alive." />
      {runners.isPending ? (
        <Card><LoadingState label="Loading runners…" /></Card>
      ) : runners.isError ? (
        <Card><ErrorState error={runners.error} onRetry={() => runners.refetch()} /></Card>
      ) : runners.data.data.length === 0 ? (
        <Card><EmptyState title="No runners registered">Sessions stay pending until a runner starts and registers with the control plane.</EmptyState></Card>
      ) : (
        <div className="grid grid-cols-1 gap-6 lg:grid-cols-2">
          {runners.data.data.map((r) => <RunnerCard key={r.id} runner={r} now={now} />)}
        </div>
      )}
    </>
  );
}

function RunnerCard({ runner: r, now }: { runner: Runner; now: number }) {
  const health = runnerHealth(r, now);
  const caps = Object.entries(r.capabilities).filter(([, v]) => v !== null && v !== undefined && v !== "");
  const titleId = `runner-${r.id}`;
  return (
    <Card aria-labelledby={titleId} data-testid="runner-card">
      <CardHeader id={titleId} title={<span className="font-mono">{r.name}</span>}
        actions={<><Badge tone={r.status === "online" ? "green" : r.status === "lost" ? "red" : "neutral"}>{r.status}</Badge><Badge tone={health.tone}>{health.label}</Badge></>} />
      <CardBody className="space-y-4">
        {r.unhealthyReason && r.status === "online" && (
          <p className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800 ring-1 ring-inset ring-red-200" data-testid="runner-unhealthy-reason">
            Cannot run sandboxes: {r.unhealthyReason}
          </p>
        )}
        <p className="text-xs text-zinc-500" title={formatDateTime(r.lastHeartbeatAt)}>{health.text}</p>
        <div className="space-y-3">
          <UsageBar label="vCPU" used={r.used.vcpu} total={r.capacity.vcpu} format={(n) => String(Math.round(n * 10) / 10)} />
          <UsageBar label="Memory" used={r.used.memoryMib} total={r.capacity.memoryMib} format={formatMib} />
          {r.capacity.gpus > 0 ? (
            <UsageBar label={`GPU${r.capacity.gpuType ? ` (${r.capacity.gpuType})` : ""}`} used={r.used.gpus} total={r.capacity.gpus} format={String} />
          ) : (
            <p className="text-sm text-zinc-500"><span className="font-medium text-zinc-800">GPU</span> none</p>
          )}
        </div>
        <dl className="grid grid-cols-2 gap-x-4 gap-y-2 text-sm">
          <div><dt className="text-zinc-500">Sessions placed</dt><dd className="font-medium text-zinc-900 tabular-nums">{r.used.sessions}</dd></div>
          <div><dt className="text-zinc-500">Backend</dt><dd className="font-medium text-zinc-900">{r.backend}</dd></div>
          <div><dt className="text-zinc-500">Started</dt><dd className="text-zinc-900" title={formatDateTime(r.startedAt)}>{formatRelative(r.startedAt, now)}</dd></div>
          <div><dt className="text-zinc-500">Id</dt><dd className="truncate font-mono text-xs text-zinc-900" title={r.id}>{r.id}</dd></div>
        </dl>
        <div className="space-y-2 text-sm">
          <div className="flex flex-wrap items-center gap-1">
            <span className="mr-1 text-zinc-500">Labels</span>
            {Object.entries(r.labels).map(([k, v]) => <code key={k} className="rounded bg-zinc-100 px-1.5 py-0.5 font-mono text-[11px] text-zinc-700">{k}={v}</code>)}
            {Object.keys(r.labels).length === 0 && <span className="text-zinc-500">none</span>}
          </div>
          {caps.length > 0 && (
            <div className="flex flex-wrap items-center gap-1">
              <span className="mr-1 text-zinc-500">Capabilities</span>
              {caps.map(([k, v]) => <code key={k} className="rounded bg-zinc-100 px-1.5 py-0.5 font-mono text-[11px] text-zinc-700">{k}: {String(v)}</code>)}
            </div>
          )}
        </div>
      </CardBody>
    </Card>
  );
}
