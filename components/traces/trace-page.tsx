"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { ApiError } from "../api-client";
import type { Trace } from "../api-types";
import { useConsole, useTenantApi } from "../console/console-context";
import { formatDateTime, formatMs } from "../format";
import { Card, CardHeader, PageHeader } from "../ui/card";
import { CopyButton } from "../ui/copy-button";
import { EmptyState, ErrorState, LoadingState } from "../ui/states";
import { TraceWaterfall } from "./trace-waterfall";

export function TracePage({ traceId }: { traceId: string }) {
  const { tenant } = useConsole();
  const { api, key } = useTenantApi();
  const trace = useQuery({
    queryKey: key("trace", traceId),
    queryFn: () => api.get<Trace>(`/traces/${encodeURIComponent(traceId)}`),
    // Spans of a running trace keep arriving (exporters batch); look again while it is recent.
    refetchInterval: (q) => {
      const spans = q.state.data?.spans ?? [];
      const last = spans.reduce((m, s) => Math.max(m, Number(BigInt(s.endNs) / 1_000_000n)), 0);
      return last && Date.now() - last < 60_000 ? 3000 : false;
    },
  });
  const back = <Link href={`/t/${tenant.slug}/traces`} className="mb-3 inline-block text-sm font-medium text-indigo-600 hover:underline">← Traces</Link>;

  if (trace.isPending) return <>{back}<Card><LoadingState label="Loading trace…" /></Card></>;
  if (trace.isError) {
    const missing = trace.error instanceof ApiError && (trace.error.status === 404 || trace.error.status === 400);
    return (
      <>
        {back}
        <Card>
          {missing
            ? <EmptyState title="No such trace">There is no trace <code className="font-mono">{traceId}</code> in this tenant.</EmptyState>
            : <ErrorState error={trace.error} onRetry={() => trace.refetch()} />}
        </Card>
      </>
    );
  }
  const spans = trace.data.spans;
  const start = spans.reduce((m, s) => (BigInt(s.startNs) < m ? BigInt(s.startNs) : m), BigInt(spans[0].startNs));
  const end = spans.reduce((m, s) => (BigInt(s.endNs) > m ? BigInt(s.endNs) : m), BigInt(spans[0].endNs));
  const sessions = [...new Set(spans.map((s) => s.sessionId).filter((s): s is string => !!s))];
  const errors = spans.filter((s) => s.status.code === "error").length;
  return (
    <>
      {back}
      <PageHeader
        title={<span className="flex flex-wrap items-center gap-2"><span className="font-mono text-lg break-all">{traceId}</span><CopyButton text={traceId} label="Copy trace id" /></span>}
        description={
          <>
            {spans.length} span{spans.length === 1 ? "" : "s"} · {formatMs(Number(end - start) / 1e6)} · started {formatDateTime(new Date(Number(start / 1_000_000n)).toISOString())}
            {errors > 0 && <span className="text-red-700"> · {errors} with errors</span>}
            {sessions.map((s) => (
              <span key={s}> · session <Link href={`/t/${tenant.slug}/sessions/${s}`} className="font-mono text-indigo-700 hover:underline">{s}</Link></span>
            ))}
          </>
        }
      />
      <Card aria-labelledby="waterfall-title">
        <CardHeader id="waterfall-title" title="Waterfall" description="Children under their parent on one time axis. Click a span for its attributes and events." />
        <TraceWaterfall spans={spans} />
      </Card>
    </>
  );
}
