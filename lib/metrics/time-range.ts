// Time ranges of the metrics and concurrency endpoints, and the bucket width that keeps an answer
// to at most a few hundred points however long the range is.
import { AppError } from "../api/errors";

/** The most points one answer holds; longer ranges are aggregated into buckets. */
export const MAX_POINTS = 500;
/** The longest range one request may ask for (retention is at most 365 days). */
export const MAX_RANGE_MS = 366 * 86_400_000;

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Bucket widths a person reads easily on a time axis. */
const NICE_WIDTHS_MS = [
  SECOND, 5 * SECOND, 10 * SECOND, 15 * SECOND, 30 * SECOND,
  MINUTE, 2 * MINUTE, 5 * MINUTE, 10 * MINUTE, 15 * MINUTE, 30 * MINUTE,
  HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY,
];

/** The narrowest readable bucket width that splits `rangeMs` into at most `maxPoints` buckets. */
export function bucketWidthMs(rangeMs: number, maxPoints = MAX_POINTS): number {
  const needed = rangeMs / maxPoints;
  return NICE_WIDTHS_MS.find((w) => w >= needed) ?? Math.ceil(needed / DAY) * DAY;
}

export type TimeRange = { from: Date; to: Date };

/**
 * `from`/`to` as given (ISO strings, already validated), filled in when missing: `to` defaults to
 * now and `from` to `defaultMs` before `to`. An empty or reversed range, or one longer than
 * MAX_RANGE_MS, is the caller's mistake (400).
 */
export function resolveTimeRange(input: { from?: string; to?: string }, defaultMs: number, now = new Date()): TimeRange {
  const to = input.to ? new Date(input.to) : now;
  const from = input.from ? new Date(input.from) : new Date(to.getTime() - defaultMs);
  if (from.getTime() >= to.getTime()) {
    throw new AppError("invalid_request", "`from` must be before `to`", { details: { fields: [{ path: "query.from", message: "must be before `to`" }] } });
  }
  if (to.getTime() - from.getTime() > MAX_RANGE_MS) {
    throw new AppError("invalid_request", "The range is at most 366 days", { details: { fields: [{ path: "query.from", message: "at most 366 days before `to`" }] } });
  }
  return { from, to };
}
