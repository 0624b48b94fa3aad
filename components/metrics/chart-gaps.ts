// Honest lines on the resource charts: a line breaks where no samples were taken (the sandbox was
// hibernated, the runner was down) instead of drawing a straight line across the hole, and the
// periods the session spent paused or hibernated are marked. Pure functions, unit-tested.

/** A gap wider than this many sample intervals breaks the line. */
export const GAP_INTERVALS = 2;

export type GapRow = { t: number } & Record<string, number | null>;

/** The typical spacing of the samples: the (lower) median of the differences (0 with fewer than 2). */
export function sampleInterval(times: readonly number[]): number {
  if (times.length < 2) return 0;
  const diffs = times.slice(1).map((t, i) => t - times[i]).sort((a, b) => a - b);
  return diffs[Math.floor((diffs.length - 1) / 2)]; // the lower median: with two, the shorter spacing
}

/**
 * The rows (sorted by t) with a row of nulls in the middle of every gap wider than GAP_INTERVALS
 * sample intervals, so a chart that does not connect nulls breaks its line there.
 */
export function insertGaps<R extends { t: number }>(rows: readonly R[], keys: readonly string[], intervalMs = sampleInterval(rows.map((r) => r.t))): (R | GapRow)[] {
  if (rows.length < 2 || intervalMs <= 0) return [...rows];
  const nulls = Object.fromEntries(keys.map((k) => [k, null]));
  const out: (R | GapRow)[] = [rows[0]];
  for (let i = 1; i < rows.length; i++) {
    const prev = rows[i - 1].t;
    if (rows[i].t - prev > GAP_INTERVALS * intervalMs) out.push({ t: prev + (rows[i].t - prev) / 2, ...nulls } as GapRow);
    out.push(rows[i]);
  }
  return out;
}

export type ShadedState = "paused" | "hibernated";
export type StatePeriod = { state: ShadedState; from: number; to: number };
const SHADED: readonly string[] = ["paused", "hibernated"];

/**
 * The periods spent paused or hibernated, from the state timeline (oldest first); a period still
 * open ends at `endMs`. Periods are clipped to [startMs, endMs] and dropped when outside it.
 */
export function shadedPeriods(events: readonly { toState: string; at: string }[], startMs: number, endMs: number): StatePeriod[] {
  const out: StatePeriod[] = [];
  let open: { state: ShadedState; from: number } | null = null;
  const close = (to: number) => {
    if (!open) return;
    const from = Math.max(open.from, startMs);
    const until = Math.min(to, endMs);
    if (until > from) out.push({ state: open.state, from, to: until });
    open = null;
  };
  for (const e of events) {
    const at = Date.parse(e.at);
    close(at);
    if (SHADED.includes(e.toState)) open = { state: e.toState as ShadedState, from: at };
  }
  close(endMs);
  return out;
}
