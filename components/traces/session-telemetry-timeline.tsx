"use client";

import { useQuery } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import type { LogLineView } from "@/lib/logs/schemas";
import type { SpanView } from "@/lib/telemetry/schemas";
import { axisTicks, layoutWaterfall } from "@/lib/telemetry/waterfall-layout";
import type { Page, Session } from "../api-types";
import { useTenantApi } from "../console/console-context";
import { formatMs } from "../format";
import { Card, CardHeader } from "../ui/card";
import { SelectField } from "../ui/field";
import { EmptyState, ErrorState, LoadingState } from "../ui/states";
import { SpanDetails } from "./span-details";
import { barColor, tickStyle } from "./trace-waterfall";

const WINDOWS = [
  { value: "15m", label: "Last 15 minutes", ms: 15 * 60_000 },
  { value: "1h", label: "Last hour", ms: 3_600_000 },
  { value: "6h", label: "Last 6 hours", ms: 6 * 3_600_000 },
  { value: "24h", label: "Last 24 hours", ms: 86_400_000 },
];
const MAX_LOG_LINES = 300;
const LIVE_STATES = new Set(["pending", "starting", "running", "paused", "hibernating"]);

type Row =
  | { kind: "span"; atMs: number; span: SpanView; depth: number; offsetPct: number; widthPct: number }
  | { kind: "log"; atMs: number; line: LogLineView; offsetPct: number };

const nsToMs = (ns: string) => Number(BigInt(ns) / 1000n) / 1000;

/**
 * The session's spans (platform lifecycle and API spans, and its agents' OTLP spans) and its log
 * lines on one time axis: each trace's spans nested, log lines as markers in time order between them.
 */
export function SessionTelemetryTimeline({ session }: { session: Session }) {
  const { api, key } = useTenantApi();
  const [win, setWin] = useState("1h");
  const [selected, setSelected] = useState<string | null>(null);
  // The Logs tab is where logs are read; here they are an opt-in, to place lines among the spans.
  const [withLogs, setWithLogs] = useState(false);
  const live = LIVE_STATES.has(session.state);
  const from = useMemo(() => new Date(Date.now() - (WINDOWS.find((w) => w.value === win)?.ms ?? 3_600_000)).toISOString(), [win]);
  const id = encodeURIComponent(session.id);
  const spans = useQuery({
    queryKey: key("session", session.id, "spans", from),
    queryFn: () => api.get<Page<SpanView>>(`/sessions/${id}/spans`, { from, limit: 1000, includeReads: "false" }),
    refetchInterval: live ? 5000 : false,
  });
  const logs = useQuery({
    queryKey: key("session", session.id, "timeline-logs", from),
    queryFn: () => api.get<Page<LogLineView>>(`/sessions/${id}/logs`, { from, tail: MAX_LOG_LINES, limit: MAX_LOG_LINES }),
    refetchInterval: live ? 5000 : false,
    enabled: withLogs,
  });

  const lines = useMemo(() => (withLogs ? logs.data?.data ?? [] : []), [withLogs, logs.data]);
  const view = useMemo(() => buildRows(spans.data?.data ?? [], lines), [spans.data, lines]);
  const selectedSpan = spans.data?.data.find((s) => `${s.traceId}/${s.spanId}` === selected) ?? null;
  const ticks = axisTicks(view.durationMs);

  return (
    <Card aria-labelledby="telemetry-timeline-title">
      <CardHeader
        id="telemetry-timeline-title"
        title="Spans"
        description="Lifecycle spans, API requests that changed something and your agent's OTLP spans on one time axis; with log lines placed among them if you ask."
        actions={
          <>
          <label className="flex items-center gap-1.5 text-sm text-zinc-700">
            <input type="checkbox" className="h-4 w-4 rounded border-zinc-300 text-indigo-600" checked={withLogs} onChange={(e) => setWithLogs(e.target.checked)} />
            Log lines
          </label>
          <SelectField id="timeline-window" label={<span className="sr-only">Time window</span>} value={win} onChange={(e) => setWin(e.target.value)} className="w-44">
            {WINDOWS.map((w) => <option key={w.value} value={w.value}>{w.label}</option>)}
          </SelectField>
          </>
        }
      />
      {spans.isPending || (withLogs && logs.isPending) ? (
        <LoadingState label="Loading spans and logs…" />
      ) : spans.isError ? (
        <ErrorState error={spans.error} onRetry={() => spans.refetch()} />
      ) : view.rows.length === 0 ? (
        <EmptyState title="Nothing in this window">Spans of this session will show up here.</EmptyState>
      ) : (
        <div>
          <div className="flex border-b border-zinc-200 bg-zinc-50 text-xs text-zinc-500">
            <div className="w-2/5 shrink-0 px-4 py-2 sm:px-5">{new Date(view.startMs).toLocaleTimeString()}</div>
            <div className="relative mr-4 flex-1 py-2" aria-hidden="true">
              {ticks.map((t) => (
                <span key={t} className="absolute whitespace-nowrap tabular-nums" style={tickStyle(view.durationMs ? (t / view.durationMs) * 100 : 0)}>+{formatMs(t)}</span>
              ))}
              &nbsp;
            </div>
          </div>
          <ul aria-label={withLogs ? "Spans and log lines" : "Spans"} tabIndex={0} className="max-h-[32rem] divide-y divide-zinc-50 overflow-y-auto">
            {view.rows.map((row) => row.kind === "span" ? (
              <li key={`s-${row.span.traceId}-${row.span.spanId}`}>
                <button type="button" data-testid="timeline-span" aria-pressed={selected === `${row.span.traceId}/${row.span.spanId}`}
                  onClick={() => setSelected((cur) => (cur === `${row.span.traceId}/${row.span.spanId}` ? null : `${row.span.traceId}/${row.span.spanId}`))}
                  className={`flex w-full items-center text-left text-sm hover:bg-zinc-50 ${selected === `${row.span.traceId}/${row.span.spanId}` ? "bg-indigo-50" : ""}`}>
                  <span className="w-2/5 shrink-0 truncate py-1 pr-2 text-zinc-900" style={{ paddingLeft: `${1 + row.depth * 0.9}rem` }}>{row.span.name}</span>
                  <span className="relative mr-4 h-5 flex-1">
                    <span className={`absolute top-1 h-3 rounded-sm ${barColor(row.span)}`} style={{ left: `${row.offsetPct}%`, width: `max(2px, ${row.widthPct}%)` }} />
                  </span>
                </button>
              </li>
            ) : (
              <li key={`l-${row.line.seq}`} data-testid="timeline-log" className="flex items-center text-xs">
                <span className={`w-2/5 shrink-0 truncate py-0.5 pr-2 pl-4 font-mono sm:pl-5 ${row.line.stream === "stderr" ? "text-red-700" : "text-zinc-600"}`} title={row.line.line}>
                  {row.line.line || " "}
                </span>
                <span className="relative mr-4 h-4 flex-1" aria-hidden="true">
                  <span className={`absolute top-1 h-2 w-2 -translate-x-1/2 rotate-45 ${row.line.stream === "stderr" ? "bg-red-400" : "bg-zinc-400"}`} style={{ left: `${row.offsetPct}%` }} />
                </span>
              </li>
            ))}
          </ul>
          {(spans.data?.nextCursor || lines.length >= MAX_LOG_LINES) && (
            <p className="border-t border-zinc-100 px-4 py-2 text-xs text-zinc-500 sm:px-5">
              Showing the first 1,000 spans and the last {MAX_LOG_LINES} log lines of this window; pick a shorter window to see less at once.
            </p>
          )}
          {selectedSpan && <SpanDetails span={selectedSpan} onClose={() => setSelected(null)} />}
        </div>
      )}
    </Card>
  );
}

function buildRows(spans: SpanView[], lines: LogLineView[]): { rows: Row[]; startMs: number; durationMs: number } {
  const times = [...spans.flatMap((s) => [nsToMs(s.startNs), nsToMs(s.endNs)]), ...lines.map((l) => Date.parse(l.at))];
  if (times.length === 0) return { rows: [], startMs: 0, durationMs: 0 };
  const startMs = Math.min(...times);
  const durationMs = Math.max(Math.max(...times) - startMs, 1);
  const pct = (ms: number) => ((ms - startMs) / durationMs) * 100;

  const byTrace = new Map<string, SpanView[]>();
  for (const s of spans) byTrace.set(s.traceId, [...(byTrace.get(s.traceId) ?? []), s]);
  const groups: { atMs: number; rows: Row[] }[] = [...byTrace.values()].map((traceSpans) => {
    const rows: Row[] = layoutWaterfall(traceSpans).rows.map(({ span, depth }) => ({
      kind: "span", atMs: nsToMs(span.startNs), span, depth, offsetPct: pct(nsToMs(span.startNs)), widthPct: (span.durationMs / durationMs) * 100,
    }));
    return { atMs: Math.min(...rows.map((r) => r.atMs)), rows };
  });
  for (const line of lines) groups.push({ atMs: Date.parse(line.at), rows: [{ kind: "log", atMs: Date.parse(line.at), line, offsetPct: pct(Date.parse(line.at)) }] });
  groups.sort((a, b) => a.atMs - b.atMs);
  return { rows: groups.flatMap((g) => g.rows), startMs, durationMs };
}
