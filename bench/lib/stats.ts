// Latency and ratio arithmetic shared by the benchmarks. Percentiles use the nearest-rank method
// (the value at rank ceil(p/100 * n) in ascending order), so every reported figure is a latency
// that was actually observed, and p100 is the maximum.

export type LatencySummary = {
  count: number;
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
};

/** Nearest-rank percentile of an ascending array; NaN when empty. `p` is in [0, 100]. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be in [0, 100], got ${p}`);
  // The tiny relative nudge keeps float error from bumping an exact rank up: 99.9/100*1000 is
  // 999.0000000000001 in binary floating point, which must stay rank 999.
  const rank = Math.max(1, Math.ceil(((p * n) / 100) * (1 - 1e-12)));
  return sorted[Math.min(n, rank) - 1];
}

/** Summary of latencies in milliseconds (any order; the input is not modified). */
export function summarize(values: ArrayLike<number>): LatencySummary {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += sorted[i];
  return {
    count: n,
    min: n ? sorted[0] : NaN,
    mean: n ? sum / n : NaN,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    p999: percentile(sorted, 99.9),
    max: n ? sorted[n - 1] : NaN,
  };
}

/** a / b, or null when either side is missing or b is zero (JSON has no NaN or Infinity). */
export function ratio(a: number, b: number): number | null {
  if (!Number.isFinite(a) || !Number.isFinite(b) || b === 0) return null;
  return a / b;
}

/** Rounds for reports; non-finite values become null so the JSON stays valid. */
export function round(x: number, digits = 3): number | null {
  if (!Number.isFinite(x)) return null;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

export function roundSummary(s: LatencySummary, digits = 3): Record<keyof LatencySummary, number | null> {
  return {
    count: s.count,
    min: round(s.min, digits),
    mean: round(s.mean, digits),
    p50: round(s.p50, digits),
    p90: round(s.p90, digits),
    p99: round(s.p99, digits),
    p999: round(s.p999, digits),
    max: round(s.max, digits),
  };
}

/**
 * The open-loop schedule: `count` sends, the i-th due at `i * intervalMs` after the start. The
 * count is rounded down so the schedule never runs past `durationMs`.
 */
export function openLoopPlan(ratePerSec: number, durationMs: number): { count: number; intervalMs: number } {
  if (!(ratePerSec > 0) || !(durationMs > 0)) return { count: 0, intervalMs: Infinity };
  return { count: Math.floor((ratePerSec * durationMs) / 1000), intervalMs: 1000 / ratePerSec };
}

/**
 * Latency of an open-loop request, measured from when it was due rather than when it was sent, so
 * time spent waiting behind a slow request counts (no coordinated omission).
 */
export function latencyFromSchedule(scheduledAt: number, completedAt: number): number {
  return completedAt - scheduledAt;
}
