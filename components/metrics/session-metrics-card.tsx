"use client";

import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import type { Session } from "../api-types";
import { useTenantApi } from "../console/console-context";
import { formatBytes, formatMib } from "../format";
import { Card, CardBody, CardHeader } from "../ui/card";
import { EmptyState, ErrorState, LoadingState } from "../ui/states";
import { isEnded } from "../sessions/session-state";
import { useSessionEvents } from "../sessions/use-sessions";
import { insertGaps, shadedPeriods } from "./chart-gaps";
import { MetricChart } from "./metric-chart";
import { SESSION_RANGES, type SessionMetrics, tickFormatter } from "./metrics-types";
import { RangePicker } from "./range-picker";

const REFRESH_MS = 5_000;
const vcpu = (v: number) => `${v.toFixed(v >= 10 ? 0 : 2)} vCPU`;

/**
 * CPU, memory and pids of the session's sandbox, refreshed every few seconds while it is up. Lines
 * break where no samples were taken; paused and hibernated periods are shaded. An ended session
 * shows its history only: no "latest" readouts.
 */
export function SessionMetricsCard({ session }: { session: Session }) {
  const { api, key } = useTenantApi();
  const [rangeMs, setRangeMs] = useState(SESSION_RANGES[0].ms);
  const live = session.state === "running" || session.state === "paused";
  const metrics = useQuery({
    queryKey: key("session", session.id, "metrics", rangeMs),
    queryFn: () => {
      const to = Date.now();
      return api.get<SessionMetrics>(`/sessions/${encodeURIComponent(session.id)}/metrics`, {
        from: new Date(to - rangeMs).toISOString(), to: new Date(to).toISOString(),
      });
    },
    refetchInterval: live ? REFRESH_MS : false,
    placeholderData: (previous) => previous,
  });

  const events = useSessionEvents(session.id);
  const answer = metrics.data;
  const samples = (answer?.data ?? []).map((p) => ({ t: Date.parse(p.at), cpu: p.cpuVcpu, memory: p.memoryBytes, pids: p.pids }));
  const rows = insertGaps(samples, ["cpu", "memory", "pids"], answer?.bucketSeconds ? answer.bucketSeconds * 1000 : undefined);
  const latest = isEnded(session) ? undefined : answer?.data.at(-1);
  // A young session fills the chart from its start rather than sitting at the right edge.
  const domain: [number, number] = answer
    ? [Math.max(Date.parse(answer.from), Date.parse(session.createdAt)), Date.parse(answer.to)]
    : [Date.now() - rangeMs, Date.now()];
  const tick = tickFormatter(rangeMs);
  const periods = shadedPeriods(events.data?.data ?? [], domain[0], domain[1]);

  return (
    <Card aria-labelledby="metrics-title">
      <CardHeader
        id="metrics-title"
        title="Resource use"
        description={answer?.bucketSeconds ? `CPU averaged, memory and pids at their highest, per ${answer.bucketSeconds} s.` : "Sampled from the sandbox's cgroup every few seconds."}
        actions={<RangePicker label="Resource chart range" options={SESSION_RANGES} value={rangeMs} onChange={setRangeMs} />}
      />
      {metrics.isPending ? (
        <LoadingState label="Loading resource samples…" />
      ) : metrics.isError ? (
        <ErrorState error={metrics.error} onRetry={() => metrics.refetch()} />
      ) : rows.length === 0 ? (
        <EmptyState title="No samples in this range">
          {live ? "The first samples appear a few seconds after the sandbox starts." : "Samples are taken while the session is running or paused."}
        </EmptyState>
      ) : (
        <CardBody className="space-y-4">
          {isEnded(session) && <p className="text-sm text-zinc-500" data-testid="metrics-ended">The session is {session.state}: these are its samples while it ran.</p>}
          {periods.length > 0 && (
            <p className="flex gap-4 text-xs text-zinc-500" aria-label="Shading">
              <span className="flex items-center gap-1.5"><span aria-hidden="true" className="h-2.5 w-3 rounded-sm bg-amber-200" /> paused</span>
              <span className="flex items-center gap-1.5"><span aria-hidden="true" className="h-2.5 w-3 rounded-sm bg-violet-200" /> hibernated</span>
            </p>
          )}
          {latest && (
            <dl className="grid grid-cols-3 gap-2 text-sm" data-testid="metrics-latest">
              <div><dt className="text-xs text-zinc-500">CPU</dt><dd className="font-medium text-zinc-900">{vcpu(latest.cpuVcpu)} <span className="text-xs font-normal text-zinc-500">of {session.resources.vcpu}</span></dd></div>
              <div><dt className="text-xs text-zinc-500">Memory</dt><dd className="font-medium text-zinc-900">{formatBytes(latest.memoryBytes)} <span className="text-xs font-normal text-zinc-500">of {formatMib(session.resources.memoryMib)}</span></dd></div>
              <div><dt className="text-xs text-zinc-500">Processes</dt><dd className="font-medium text-zinc-900">{latest.pids}</dd></div>
            </dl>
          )}
          <ChartTitle>CPU (vCPU)</ChartTitle>
          <MetricChart label="CPU over time" rows={rows} domain={domain} tick={tick} format={vcpu} axisFormat={(v) => v.toFixed(2)}
            periods={periods} series={[{ key: "cpu", name: "CPU", color: "#4f46e5" }]} limit={{ value: session.resources.vcpu, label: "limit" }} />
          <ChartTitle>Memory</ChartTitle>
          <MetricChart label="Memory over time" rows={rows} domain={domain} tick={tick} format={formatBytes}
            periods={periods} series={[{ key: "memory", name: "Memory", color: "#059669" }]} />
          <ChartTitle>Processes</ChartTitle>
          <MetricChart label="Processes over time" rows={rows} domain={domain} tick={tick} format={(v) => String(Math.round(v))}
            periods={periods} series={[{ key: "pids", name: "Processes", color: "#d97706" }]} step integer />
        </CardBody>
      )}
    </Card>
  );
}

function ChartTitle({ children }: { children: string }) {
  return <h3 className="text-xs font-medium text-zinc-500">{children}</h3>;
}
