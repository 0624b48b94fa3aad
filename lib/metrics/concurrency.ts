// Tenant-wide concurrency from the session state timeline: each session_events row starts an
// interval in its `toState` that lasts until the session's next event. Per bucket we report the
// peak: the most sessions that were running (or paused) at the same instant inside it.

export type StateEvent = { sessionId: string; toState: string; at: Date };
export type StateInterval = { sessionId: string; state: string; startMs: number; endMs: number };
export type ConcurrencyPoint = { at: string; running: number; paused: number };

/**
 * The intervals of each session in each state. `events` must be ordered by session and then time;
 * a session's last interval is open and ends at `openEndMs` (now, for a session still in it).
 */
export function stateIntervals(events: StateEvent[], openEndMs: number): StateInterval[] {
  const out: StateInterval[] = [];
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    const next = events[i + 1];
    const endMs = next && next.sessionId === e.sessionId ? next.at.getTime() : openEndMs;
    if (endMs > e.at.getTime()) out.push({ sessionId: e.sessionId, state: e.toState, startMs: e.at.getTime(), endMs });
  }
  return out;
}

type Edge = { t: number; d: 1 | -1 };

/** The peak number of overlapping intervals in each bucket [from + i·width, from + (i+1)·width). */
export function peakPerBucket(intervals: { startMs: number; endMs: number }[], fromMs: number, toMs: number, widthMs: number): number[] {
  const edges: Edge[] = [];
  for (const iv of intervals) {
    const start = Math.max(iv.startMs, fromMs);
    const end = Math.min(iv.endMs, toMs);
    if (end <= start) continue;
    edges.push({ t: start, d: 1 }, { t: end, d: -1 });
  }
  // At the same instant an end comes before a start: a hand-over is not an overlap.
  edges.sort((a, b) => a.t - b.t || a.d - b.d);
  const buckets = Math.ceil((toMs - fromMs) / widthMs);
  const peaks: number[] = [];
  let count = 0;
  let i = 0;
  for (let b = 0; b < buckets; b++) {
    const start = fromMs + b * widthMs;
    const end = Math.min(start + widthMs, toMs);
    while (i < edges.length && edges[i].t <= start) count += edges[i++].d;
    let peak = count;
    while (i < edges.length && edges[i].t < end) {
      count += edges[i++].d;
      peak = Math.max(peak, count);
    }
    peaks.push(peak);
  }
  return peaks;
}

/** Running and paused sessions per bucket, from the ordered events of the tenant's sessions. */
export function concurrencySeries(events: StateEvent[], range: { fromMs: number; toMs: number; openEndMs: number }, widthMs: number): ConcurrencyPoint[] {
  const intervals = stateIntervals(events, range.openEndMs);
  const running = peakPerBucket(intervals.filter((iv) => iv.state === "running"), range.fromMs, range.toMs, widthMs);
  const paused = peakPerBucket(intervals.filter((iv) => iv.state === "paused"), range.fromMs, range.toMs, widthMs);
  return running.map((r, b) => ({ at: new Date(range.fromMs + b * widthMs).toISOString(), running: r, paused: paused[b] }));
}
