"use client";

import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useMe, useTenantApi } from "../console/console-context";
import { Card, CardBody, CardHeader } from "../ui/card";
import { ErrorState, LoadingState } from "../ui/states";
import { MetricChart } from "./metric-chart";
import { type Concurrency, TENANT_RANGES, tickFormatter } from "./metrics-types";
import { RangePicker } from "./range-picker";

const REFRESH_MS = 30_000;

/** The tenant's running and paused sessions over time, for the dashboard. */
export function ConcurrencyCard() {
  const canRead = useMe().data.scopes.includes("sessions:read");
  if (!canRead) return null;
  return <ConcurrencyChart />;
}

function ConcurrencyChart() {
  const { api, key } = useTenantApi();
  const [rangeMs, setRangeMs] = useState(TENANT_RANGES[1].ms);
  const concurrency = useQuery({
    queryKey: key("sessions", "concurrency", rangeMs),
    queryFn: () => {
      const to = Date.now();
      return api.get<Concurrency>("/sessions/concurrency", { from: new Date(to - rangeMs).toISOString(), to: new Date(to).toISOString() });
    },
    refetchInterval: REFRESH_MS,
    placeholderData: (previous) => previous,
  });
  const answer = concurrency.data;
  const rows = (answer?.data ?? []).map((p) => ({ t: Date.parse(p.at), running: p.running, paused: p.paused }));
  const peak = rows.reduce((m, r) => Math.max(m, r.running), 0);
  const now = rows.at(-1);

  return (
    <Card className="mt-6" aria-labelledby="concurrency-title">
      <CardHeader
        id="concurrency-title"
        title="Concurrent sessions"
        description={answer ? `Most running or paused at once, per ${formatStep(answer.stepSeconds)}.` : "Running and paused sessions over time."}
        actions={<RangePicker label="Concurrency chart range" options={TENANT_RANGES} value={rangeMs} onChange={setRangeMs} />}
      />
      {concurrency.isPending ? (
        <LoadingState label="Loading concurrency…" />
      ) : concurrency.isError ? (
        <ErrorState error={concurrency.error} onRetry={() => concurrency.refetch()} />
      ) : (
        <CardBody className="space-y-3">
          <dl className="flex flex-wrap gap-6 text-sm" data-testid="concurrency-summary">
            <div><dt className="text-xs text-zinc-500">Running (latest bucket)</dt><dd className="font-medium text-zinc-900">{now?.running ?? 0}</dd></div>
            <div><dt className="text-xs text-zinc-500">Paused (latest bucket)</dt><dd className="font-medium text-zinc-900">{now?.paused ?? 0}</dd></div>
            <div><dt className="text-xs text-zinc-500">Peak running</dt><dd className="font-medium text-zinc-900">{peak}</dd></div>
          </dl>
          <MetricChart label="Concurrent sessions over time" rows={rows} height={180} step
            domain={answer ? [Date.parse(answer.from), Date.parse(answer.to)] : [Date.now() - rangeMs, Date.now()]}
            tick={tickFormatter(rangeMs)} format={(v) => String(Math.round(v))} integer
            series={[{ key: "running", name: "Running", color: "#4f46e5" }, { key: "paused", name: "Paused", color: "#d97706" }]} />
        </CardBody>
      )}
    </Card>
  );
}

function formatStep(seconds: number): string {
  if (seconds % 86_400 === 0) return seconds === 86_400 ? "day" : `${seconds / 86_400} days`;
  if (seconds % 3_600 === 0) return seconds === 3_600 ? "hour" : `${seconds / 3_600} hours`;
  if (seconds % 60 === 0) return seconds === 60 ? "minute" : `${seconds / 60} minutes`;
  return `${seconds} s`;
}
