// Where each span of a trace goes in a waterfall: depth-first order (children under their parent,
// siblings by start time), nesting depth, and position on the trace's time axis in percent. Pure,
// so the console uses it as is. Spans whose parent is not in the set (an external caller's span)
// are roots; a parent cycle in bad data cannot loop.
export type WaterfallInput = { spanId: string; parentSpanId: string | null; startNs: string; endNs: string };
export type WaterfallRow<T> = { span: T; depth: number; offsetPct: number; widthPct: number };

export function layoutWaterfall<T extends WaterfallInput>(spans: T[]): { rows: WaterfallRow<T>[]; startNs: bigint; durationNs: bigint } {
  if (spans.length === 0) return { rows: [], startNs: 0n, durationNs: 0n };
  const start = spans.reduce((m, s) => (BigInt(s.startNs) < m ? BigInt(s.startNs) : m), BigInt(spans[0].startNs));
  const end = spans.reduce((m, s) => (BigInt(s.endNs) > m ? BigInt(s.endNs) : m), BigInt(spans[0].endNs));
  const total = end - start > 0n ? end - start : 1n;
  const ids = new Set(spans.map((s) => s.spanId));
  const children = new Map<string | null, T[]>();
  for (const s of spans) {
    const parent = s.parentSpanId && ids.has(s.parentSpanId) && s.parentSpanId !== s.spanId ? s.parentSpanId : null;
    children.set(parent, [...(children.get(parent) ?? []), s]);
  }
  const byStart = (a: T, b: T) => (BigInt(a.startNs) < BigInt(b.startNs) ? -1 : BigInt(a.startNs) > BigInt(b.startNs) ? 1 : a.spanId.localeCompare(b.spanId));
  for (const list of children.values()) list.sort(byStart);

  const rows: WaterfallRow<T>[] = [];
  const seen = new Set<string>();
  const pct = (ns: bigint) => Number((ns * 1_000_000n) / total) / 10_000;
  const stack: { span: T; depth: number }[] = [...(children.get(null) ?? [])].reverse().map((span) => ({ span, depth: 0 }));
  const visit = () => {
    while (stack.length) {
      const { span, depth } = stack.pop()!;
      if (seen.has(span.spanId)) continue;
      seen.add(span.spanId);
      const s = BigInt(span.startNs);
      rows.push({ span, depth, offsetPct: pct(s - start), widthPct: pct(BigInt(span.endNs) - s) });
      for (const child of [...(children.get(span.spanId) ?? [])].reverse()) stack.push({ span: child, depth: depth + 1 });
    }
  };
  visit();
  // Spans only reachable through a cycle: shown as roots rather than lost.
  for (const s of [...spans].sort(byStart)) if (!seen.has(s.spanId)) stack.push({ span: s, depth: 0 }), visit();
  return { rows, startNs: start, durationNs: end - start };
}

/** Evenly spaced round tick values (ms) for an axis of `durationMs`. */
export function axisTicks(durationMs: number, target = 5): number[] {
  if (!(durationMs > 0)) return [0];
  const raw = durationMs / target;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? 10 * magnitude;
  const ticks: number[] = [];
  for (let t = 0; t <= durationMs + 1e-9 && ticks.length < 50; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}
