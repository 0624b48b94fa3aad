"use client";

import Link from "next/link";
import { useEffect, useMemo, useState } from "react";
import type { TraceSummary } from "@/lib/telemetry/schemas";
import { useConsole } from "../console/console-context";
import { usePagedList } from "../console/use-paged-list";
import { formatDateTime, formatMs, formatRelative } from "../format";
import { Badge } from "../ui/badge";
import { Card, PageHeader } from "../ui/card";
import { SelectField, TextField } from "../ui/field";
import { EmptyState, ErrorState, LoadMore, LoadingState, TableHead, TableWrap, tdClass } from "../ui/states";
import { durationBarPercent, traceFilterQuery, type TraceFilterForm } from "./trace-list";

const RANGES = [
  { value: "1h", label: "Last hour", ms: 3_600_000 },
  { value: "24h", label: "Last 24 hours", ms: 86_400_000 },
  { value: "7d", label: "Last 7 days", ms: 7 * 86_400_000 },
  { value: "30d", label: "Last 30 days", ms: 30 * 86_400_000 },
];
const SESSION_ID = /^ses_[0-9A-Z]{26}$/;

export function TracesPage() {
  const { tenant } = useConsole();
  const [range, setRange] = useState("24h");
  const [session, setSession] = useState("");
  const [reads, setReads] = useState(false);
  const [form, setForm] = useState<TraceFilterForm>({ status: "", name: "", minDuration: "" });
  const { query: filterQuery, durationError } = traceFilterQuery(form);
  // Typed filters (name, duration) apply once typing pauses; the last valid ones stay applied meanwhile.
  const [applied, setApplied] = useState<Record<string, string>>({});
  const filterKey = JSON.stringify(filterQuery);
  useEffect(() => {
    if (durationError) return;
    const t = setTimeout(() => setApplied(JSON.parse(filterKey)), 300);
    return () => clearTimeout(t);
  }, [filterKey, durationError]);
  const sessionId = session.trim();
  const sessionValid = sessionId === "" || SESSION_ID.test(sessionId);
  // The window's start is fixed when the filter changes, so paging stays on one window.
  const from = useMemo(() => new Date(Date.now() - (RANGES.find((r) => r.value === range)?.ms ?? 86_400_000)).toISOString(), [range]);
  const list = usePagedList<TraceSummary>("traces", "/traces", { limit: 50, from, includeReads: reads ? undefined : "false", sessionId: sessionValid && sessionId ? sessionId : undefined, ...applied }, {
    enabled: sessionValid,
  });

  const longestMs = list.items.reduce((m, t) => Math.max(m, t.durationMs), 0);

  return (
    <>
      <PageHeader
        title="Traces"
        description="Spans Burrow records for API requests and session lifecycle steps, and spans your agents send over OTLP to /api/otlp. Newest first."
      />
      <Card>
        <div className="flex flex-wrap items-end gap-3 border-b border-zinc-200 px-4 py-3 sm:px-5">
          <SelectField id="trace-range" label="Started" value={range} onChange={(e) => setRange(e.target.value)} className="w-full sm:w-48">
            {RANGES.map((r) => <option key={r.value} value={r.value}>{r.label}</option>)}
          </SelectField>
          <TextField id="trace-session" label="Session" placeholder="ses_…" value={session} onChange={(e) => setSession(e.target.value)}
            error={sessionValid ? undefined : "A session id looks like ses_ followed by 26 letters and digits"} className="w-full sm:w-80" />
          <label className="flex items-center gap-2 pb-2 text-sm text-zinc-700">
            <input type="checkbox" className="h-4 w-4 rounded border-zinc-300 accent-indigo-600" checked={reads} onChange={(e) => setReads(e.target.checked)} />
            Show reads (GET) and terminal keystrokes
          </label>
          <SelectField id="trace-status" label="Status" value={form.status} onChange={(e) => setForm({ ...form, status: e.target.value as TraceFilterForm["status"] })} className="w-full sm:w-36">
            <option value="">Any status</option>
            <option value="ok">ok</option>
            <option value="error">error</option>
          </SelectField>
          <TextField id="trace-name" label="Name" placeholder="exec, POST /api/v1/…" value={form.name} autoComplete="off"
            onChange={(e) => setForm({ ...form, name: e.target.value })} className="w-full sm:w-56" />
          <TextField id="trace-min-duration" label="Slower than" placeholder="250ms, 1.5s" value={form.minDuration} autoComplete="off"
            onChange={(e) => setForm({ ...form, minDuration: e.target.value })} error={durationError} className="w-full sm:w-36" />
          {list.isFetching && !list.isFetchingNextPage && !list.isPending && <span className="pb-2 text-xs text-zinc-500">Refreshing…</span>}
        </div>
        {!sessionValid ? (
          <EmptyState title="Enter a whole session id">Or clear the field to see every trace.</EmptyState>
        ) : list.isPending ? (
          <LoadingState label="Loading traces…" />
        ) : list.isError ? (
          <ErrorState error={list.error} onRetry={() => list.refetch()} />
        ) : list.items.length === 0 ? (
          Object.keys(applied).length > 0 ? (
            <EmptyState title="No traces match these filters">Try another status, name or duration, or a longer range.</EmptyState>
          ) : <EmptyState title="No traces in this range">
            Call the API or point an OpenTelemetry exporter at <code className="font-mono">/api/otlp</code> with a key that has telemetry:write.
          </EmptyState>
        ) : (
          <>
            <TableWrap label="Traces">
              <TableHead columns={["Trace", "Started", "Duration", "Spans", "Status", "Session"]} />
              <tbody className="divide-y divide-zinc-100">
                {list.items.map((t) => (
                  <tr key={t.traceId} data-testid="trace-row" className="hover:bg-zinc-50">
                    <td className={tdClass}>
                      <Link href={`/t/${tenant.slug}/traces/${t.traceId}`} className="font-medium text-indigo-700 hover:underline">{t.rootName}</Link>
                      <div className="font-mono text-[11px] text-zinc-500">{t.serviceName ? `${t.serviceName} · ` : ""}{t.traceId}</div>
                    </td>
                    <td className={tdClass} title={formatDateTime(t.startTime)}>{formatRelative(t.startTime)}</td>
                    <td className={`${tdClass} tabular-nums`}>
                      <div>{formatMs(t.durationMs)}</div>
                      <div className="mt-1 h-1.5 w-24 rounded-full bg-zinc-100" aria-hidden="true">
                        <div data-testid="trace-duration-bar" className={`h-1.5 rounded-full ${t.hasError ? "bg-red-500" : "bg-indigo-500"}`}
                          style={{ width: `${durationBarPercent(t.durationMs, longestMs)}%` }} />
                      </div>
                    </td>
                    <td className={`${tdClass} tabular-nums`}>{t.spanCount}</td>
                    <td className={tdClass}>{t.hasError ? <Badge tone="red">error</Badge> : <Badge tone="green">ok</Badge>}</td>
                    <td className={tdClass}>
                      {t.sessionId ? <Link href={`/t/${tenant.slug}/sessions/${t.sessionId}`} className="font-mono text-xs text-indigo-700 hover:underline">{t.sessionId}</Link> : "—"}
                    </td>
                  </tr>
                ))}
              </tbody>
            </TableWrap>
            <LoadMore list={list} endText="That is every trace in this range." />
          </>
        )}
      </Card>
    </>
  );
}
