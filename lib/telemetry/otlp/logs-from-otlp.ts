// OTLP log records turned into session log lines. A record's stream follows its severity: WARN and
// above (severity number ≥ 13, or a severity text naming warn/error/fatal when no number is given)
// go to stderr, the rest to stdout. The line is the body (structured bodies as JSON), prefixed by
// the severity text when there is one; a multi-line body becomes several lines.
import type { LogStream } from "../../logs/append-session-logs";
import { anyValue, attributes, field, list, nanos, text } from "./otlp-values";
import { MAX_FUTURE_SKEW_NS, newRejections, reject, type Rejections } from "./spans-from-otlp";

const WARN = 13;
const MAX_LINE_CHARS = 16_384;

export type OtlpLogRecord = { sessionRef: string | null; stream: LogStream; at: Date; lines: string[] };

export function logsFromOtlp(request: Record<string, unknown>, nowNs: bigint): { records: OtlpLogRecord[]; rejected: Rejections } {
  const records: OtlpLogRecord[] = [];
  const rejected = newRejections();
  for (const resourceLogs of list(request, "resourceLogs")) {
    const resource = attributes(list(field(resourceLogs, "resource"), "attributes"));
    for (const scopeLogs of list(resourceLogs, "scopeLogs")) {
      for (const record of list(scopeLogs, "logRecords")) {
        const time = nanos(field(record, "timeUnixNano"));
        const observed = nanos(field(record, "observedTimeUnixNano"));
        if (time === null || observed === null) {
          reject(rejected, "malformed time_unix_nano or observed_time_unix_nano");
          continue;
        }
        const atNs = time || observed || nowNs;
        if (atNs > nowNs + MAX_FUTURE_SKEW_NS) {
          reject(rejected, "timestamp more than 1 hour in the future");
          continue;
        }
        const attrs = attributes(list(record, "attributes"));
        const ref = attrs["session.id"] ?? resource["session.id"];
        records.push({
          sessionRef: typeof ref === "string" ? ref : null,
          stream: streamOf(record),
          at: new Date(Number(atNs / 1_000_000n)),
          lines: linesOf(record),
        });
      }
    }
  }
  return { records, rejected };
}

function streamOf(record: unknown): LogStream {
  const number = Number(field(record, "severityNumber") ?? 0);
  if (Number.isInteger(number) && number > 0) return number >= WARN ? "stderr" : "stdout";
  return /warn|err|fatal|crit|alert|emerg/i.test(text(record, "severityText")) ? "stderr" : "stdout";
}

function linesOf(record: unknown): string[] {
  const body = anyValue(field(record, "body"));
  const message = typeof body === "string" ? body : body === null ? text(record, "eventName") : JSON.stringify(body);
  const level = text(record, "severityText");
  const full = level ? `${level} ${message}` : message;
  const lines: string[] = [];
  for (const line of full.replace(/\r?\n$/, "").split(/\r?\n/)) {
    for (let i = 0; i < Math.max(line.length, 1); i += MAX_LINE_CHARS) lines.push(line.slice(i, i + MAX_LINE_CHARS));
  }
  return lines;
}
