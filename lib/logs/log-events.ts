// How log lines travel as server-sent events (`id: <seq>` + one JSON line each), and the in-memory
// form of the API's filters, which must agree with the database form in read-session-logs.ts.
import { formatJsonEvent, HEARTBEAT_COMMENT } from "../api/sse";
import { type LogRow, toLogLine } from "./read-session-logs";
import type { LogFilter } from "./schemas";

export const HEARTBEAT_EVENT = HEARTBEAT_COMMENT;

/** One line as an event. JSON keeps the data on one line whatever the log line holds. */
export function logEvent(row: LogRow): string {
  return formatJsonEvent(undefined, toLogLine(row), String(row.seq));
}

export function hasFilter(filter: LogFilter): boolean {
  return Boolean(filter.streams || filter.q || filter.from || filter.to);
}

/** A predicate equal to logWhere's filter part: stream in the list, case-insensitive substring, time range. */
export function logMatcher(filter: LogFilter): (row: LogRow) => boolean {
  const streams = filter.streams ? new Set(filter.streams) : null;
  const q = filter.q?.toLowerCase();
  const from = filter.from?.getTime();
  const to = filter.to?.getTime();
  return (row) =>
    (!streams || streams.has(row.stream)) &&
    (!q || row.line.toLowerCase().includes(q)) &&
    (from === undefined || row.at.getTime() >= from) &&
    (to === undefined || row.at.getTime() <= to);
}

/** Parses a Last-Event-ID header: absent → undefined; present, it must be one of our sequence numbers. */
export function parseLastEventId(header: string | null): number | undefined | "invalid" {
  if (header === null || header.trim() === "") return undefined;
  return /^\d{1,15}$/.test(header.trim()) ? Number(header.trim()) : "invalid";
}
