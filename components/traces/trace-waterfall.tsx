"use client";

import { useMemo, useState } from "react";
import type { SpanView } from "@/lib/telemetry/schemas";
import { axisTicks, layoutWaterfall } from "@/lib/telemetry/waterfall-layout";
import { formatMs } from "../format";
import { SpanDetails } from "./span-details";

/** An axis label at `pct` of the width, kept inside the axis at both ends. */
export function tickStyle(pct: number): React.CSSProperties {
  return { left: `${pct}%`, transform: pct < 5 ? "none" : pct > 90 ? "translateX(-100%)" : "translateX(-50%)" };
}

export function barColor(span: Pick<SpanView, "status" | "source">): string {
  if (span.status.code === "error") return "bg-red-500";
  return span.source === "platform" ? "bg-indigo-500" : "bg-emerald-500";
}

/** Nested spans on the trace's time axis; a click on a span shows its attributes and events. */
export function TraceWaterfall({ spans }: { spans: SpanView[] }) {
  const layout = useMemo(() => layoutWaterfall(spans), [spans]);
  const [selected, setSelected] = useState<string | null>(null);
  const durationMs = Number(layout.durationNs) / 1e6;
  const ticks = axisTicks(durationMs);
  const selectedSpan = spans.find((s) => s.spanId === selected) ?? null;

  return (
    <div>
      <div className="flex border-b border-zinc-200 bg-zinc-50 text-xs text-zinc-500">
        <div className="w-2/5 shrink-0 px-4 py-2 font-medium tracking-wide uppercase sm:px-5">Span</div>
        <div className="relative mr-4 flex-1 py-2" aria-hidden="true">
          {ticks.map((t) => (
            <span key={t} className="absolute whitespace-nowrap tabular-nums" style={tickStyle(durationMs ? (t / durationMs) * 100 : 0)}>{formatMs(t)}</span>
          ))}
          &nbsp;
        </div>
      </div>
      <ul aria-label="Spans" className="divide-y divide-zinc-100">
        {layout.rows.map(({ span, depth, offsetPct, widthPct }) => (
          <li key={span.spanId}>
            <button
              type="button"
              data-testid="waterfall-row"
              aria-pressed={selected === span.spanId}
              aria-label={`${span.name}, ${formatMs(span.durationMs)}`}
              onClick={() => setSelected(selected === span.spanId ? null : span.spanId)}
              className={`flex w-full items-center text-left text-sm hover:bg-zinc-50 ${selected === span.spanId ? "bg-indigo-50" : ""}`}
            >
              <span className="flex w-2/5 shrink-0 items-center gap-2 py-1.5 pr-3" style={{ paddingLeft: `${1 + depth * 0.9}rem` }}>
                <span className="truncate text-zinc-900">{span.name}</span>
                {span.serviceName && span.source === "otlp" && <span className="truncate text-xs text-zinc-500">{span.serviceName}</span>}
                <span className="ml-auto shrink-0 text-[11px] text-zinc-500 tabular-nums">{formatMs(span.durationMs)}</span>
              </span>
              <span className="relative mr-4 h-5 flex-1">
                <span className={`absolute top-1 h-3 rounded-sm ${barColor(span)}`} style={{ left: `${offsetPct}%`, width: `max(2px, ${widthPct}%)` }} />
              </span>
            </button>
          </li>
        ))}
      </ul>
      {selectedSpan && <SpanDetails span={selectedSpan} onClose={() => setSelected(null)} />}
    </div>
  );
}
