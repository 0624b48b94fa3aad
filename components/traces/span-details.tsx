"use client";

import Link from "next/link";
import type { SpanView } from "@/lib/telemetry/schemas";
import { useConsole } from "../console/console-context";
import { formatMs } from "../format";
import { Badge } from "../ui/badge";

const show = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v));

function AttributeTable({ label, values }: { label: string; values: Record<string, unknown> }) {
  const entries = Object.entries(values).sort(([a], [b]) => a.localeCompare(b));
  return (
    <div>
      <h4 className="text-xs font-medium tracking-wide text-zinc-500 uppercase">{label}</h4>
      {entries.length === 0 ? (
        <p className="mt-1 text-sm text-zinc-500">None.</p>
      ) : (
        <dl className="mt-1 grid grid-cols-[minmax(8rem,auto)_1fr] gap-x-4 gap-y-1 text-sm" aria-label={label}>
          {entries.map(([k, v]) => (
            <div key={k} className="contents" data-testid="span-attribute">
              <dt className="font-mono text-xs text-zinc-500 break-all">{k}</dt>
              <dd className="font-mono text-xs text-zinc-900 break-all whitespace-pre-wrap">{show(v)}</dd>
            </div>
          ))}
        </dl>
      )}
    </div>
  );
}

/** Everything about one span: ids, timing, status, attributes, events and resource. */
export function SpanDetails({ span, onClose }: { span: SpanView; onClose?: () => void }) {
  const { tenant } = useConsole();
  const startNs = BigInt(span.startNs);
  return (
    <section className="space-y-4 border-t border-zinc-200 px-4 py-4 sm:px-5" aria-label={`Span ${span.name}`} data-testid="span-details">
      <div className="flex flex-wrap items-start justify-between gap-2">
        <div className="min-w-0">
          <h3 className="text-sm font-semibold break-all text-zinc-900">{span.name}</h3>
          <p className="mt-0.5 font-mono text-[11px] text-zinc-500">span {span.spanId}{span.parentSpanId ? ` · parent ${span.parentSpanId}` : " · root"}</p>
        </div>
        <div className="flex flex-wrap items-center gap-1.5">
          <Badge tone={span.source === "platform" ? "accent" : "green"}>{span.source}</Badge>
          <Badge>{span.kind}</Badge>
          <Badge tone={span.status.code === "error" ? "red" : span.status.code === "ok" ? "green" : "neutral"}>{span.status.code}</Badge>
          {onClose && <button type="button" className="ml-1 text-xs font-medium text-indigo-600 hover:underline" onClick={onClose}>Close</button>}
        </div>
      </div>
      <dl className="grid grid-cols-2 gap-3 text-sm sm:grid-cols-4">
        <div><dt className="text-xs text-zinc-500">Duration</dt><dd className="tabular-nums">{formatMs(span.durationMs)}</dd></div>
        <div><dt className="text-xs text-zinc-500">Started</dt><dd className="tabular-nums">{new Date(span.startTime).toISOString().replace("T", " ").replace("Z", " UTC")}</dd></div>
        <div><dt className="text-xs text-zinc-500">Service</dt><dd>{span.serviceName ?? "—"}</dd></div>
        <div>
          <dt className="text-xs text-zinc-500">Session</dt>
          <dd>{span.sessionId ? <Link href={`/t/${tenant.slug}/sessions/${span.sessionId}`} className="font-mono text-xs text-indigo-700 hover:underline">{span.sessionId}</Link> : "—"}</dd>
        </div>
      </dl>
      {span.status.message && <p className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700" role="note">{span.status.message}</p>}
      <AttributeTable label="Attributes" values={span.attributes} />
      <div>
        <h4 className="text-xs font-medium tracking-wide text-zinc-500 uppercase">Events</h4>
        {span.events.length === 0 ? (
          <p className="mt-1 text-sm text-zinc-500">None.</p>
        ) : (
          <ol className="mt-1 space-y-1 text-sm" aria-label="Events">
            {span.events.map((e, i) => (
              <li key={i} data-testid="span-event">
                <span className="tabular-nums text-zinc-500">+{formatMs(Number(BigInt(e.timeNs) - startNs) / 1e6)}</span>{" "}
                <span className="font-medium text-zinc-900">{e.name}</span>
                {Object.keys(e.attributes).length > 0 && <span className="ml-2 font-mono text-xs text-zinc-500">{JSON.stringify(e.attributes)}</span>}
              </li>
            ))}
          </ol>
        )}
      </div>
      <AttributeTable label="Resource" values={span.resource} />
    </section>
  );
}
