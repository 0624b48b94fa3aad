// Time ranges and axis labels of the metrics charts. The answers' types (SessionMetrics,
// Concurrency) come from the API's schemas through ../api-types.
import type { Concurrency, ConcurrencyPoint, SessionMetricPoint, SessionMetrics } from "../api-types";

export type { Concurrency, ConcurrencyPoint, SessionMetricPoint, SessionMetrics };

export type TimeRangeOption = { label: string; ms: number };

const MINUTE = 60_000;
export const SESSION_RANGES: TimeRangeOption[] = [
  { label: "15 min", ms: 15 * MINUTE },
  { label: "1 h", ms: 60 * MINUTE },
  { label: "6 h", ms: 360 * MINUTE },
  { label: "24 h", ms: 1_440 * MINUTE },
];
export const TENANT_RANGES: TimeRangeOption[] = [
  { label: "1 h", ms: 60 * MINUTE },
  { label: "24 h", ms: 1_440 * MINUTE },
  { label: "7 d", ms: 7 * 1_440 * MINUTE },
];

const clock = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const clockSeconds = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" });
const dayClock = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });

/** A time-axis tick: seconds on short ranges, the day on ranges past a day. */
export function tickFormatter(rangeMs: number) {
  const format = rangeMs > 86_400_000 ? dayClock : rangeMs <= 30 * MINUTE ? clockSeconds : clock;
  return (ms: number) => format.format(new Date(ms));
}

export function formatInstant(ms: number): string {
  return dayClock.format(new Date(ms));
}
