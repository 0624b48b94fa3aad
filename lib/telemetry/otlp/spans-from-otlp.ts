// OTLP spans checked one by one and turned into rows. A span that breaks a rule is rejected on its
// own (OTLP partial success) with a reason; the rest of the request is kept.
import type { SpanKind, SpanRow, SpanStatus } from "../span-row";
import { attributes, enumValue, field, idHex, list, nanos, text } from "./otlp-values";

/** Timestamps further ahead of the server clock than this are rejected (clock skew allowance). */
export const MAX_FUTURE_SKEW_NS = 3600n * 1_000_000_000n;
const MAX_NAME_LENGTH = 1024;

const KIND_NAMES = ["SPAN_KIND_UNSPECIFIED", "SPAN_KIND_INTERNAL", "SPAN_KIND_SERVER", "SPAN_KIND_CLIENT", "SPAN_KIND_PRODUCER", "SPAN_KIND_CONSUMER"];
const KINDS: Record<number, SpanKind> = { 2: "server", 3: "client", 4: "producer", 5: "consumer" };
const STATUS_NAMES = ["STATUS_CODE_UNSET", "STATUS_CODE_OK", "STATUS_CODE_ERROR"];
const STATUSES: Record<number, SpanStatus> = { 1: "ok", 2: "error" };

/** A span ready to store once its session reference is resolved against the caller's tenant. */
export type OtlpSpan = Omit<SpanRow, "tenantId" | "sessionId"> & { sessionRef: string | null };

export type Rejections = { count: number; reasons: Map<string, number> };

export function newRejections(): Rejections {
  return { count: 0, reasons: new Map() };
}

export function reject(r: Rejections, reason: string, count = 1) {
  r.count += count;
  r.reasons.set(reason, (r.reasons.get(reason) ?? 0) + count);
}

/** "2 spans: no valid trace_id; 1 span: end before start" — the partial-success error_message. */
export function describeRejections(r: Rejections, noun: string): string {
  return [...r.reasons].map(([reason, n]) => `${n} ${noun}${n === 1 ? "" : "s"}: ${reason}`).join("; ");
}

export function spansFromOtlp(request: Record<string, unknown>, nowNs: bigint): { spans: OtlpSpan[]; rejected: Rejections } {
  const spans: OtlpSpan[] = [];
  const rejected = newRejections();
  for (const resourceSpans of list(request, "resourceSpans")) {
    const resource = attributes(list(field(resourceSpans, "resource"), "attributes"));
    const serviceName = typeof resource["service.name"] === "string" ? resource["service.name"] : null;
    for (const scopeSpans of list(resourceSpans, "scopeSpans")) {
      const scope = field(scopeSpans, "scope");
      for (const span of list(scopeSpans, "spans")) {
        const problem = checkSpan(span, nowNs);
        if (problem) {
          reject(rejected, problem);
          continue;
        }
        const attrs = attributes(list(span, "attributes"));
        const scopeName = text(scope, "name");
        if (scopeName) attrs["otel.scope.name"] = scopeName;
        const sessionRef = typeof attrs["session.id"] === "string" ? attrs["session.id"] : typeof resource["session.id"] === "string" ? resource["session.id"] : null;
        const parent = idHex(field(span, "parentSpanId"), 8);
        const status = field(span, "status");
        spans.push({
          traceId: idHex(field(span, "traceId"), 16)!,
          spanId: idHex(field(span, "spanId"), 8)!,
          parentSpanId: parent && !/^0+$/.test(parent) ? parent : null,
          sessionRef,
          name: (text(span, "name") || "(unnamed)").slice(0, MAX_NAME_LENGTH),
          kind: KINDS[enumValue(field(span, "kind"), KIND_NAMES)] ?? "internal",
          source: "otlp",
          serviceName,
          startNs: nanos(field(span, "startTimeUnixNano"))!,
          endNs: nanos(field(span, "endTimeUnixNano"))!,
          statusCode: STATUSES[enumValue(field(status, "code"), STATUS_NAMES)] ?? "unset",
          statusMessage: text(status, "message") || null,
          attributes: attrs,
          events: list(span, "events").map((e) => ({
            timeNs: (nanos(field(e, "timeUnixNano")) ?? 0n).toString(),
            name: text(e, "name"),
            attributes: attributes(list(e, "attributes")),
          })),
          resource,
        });
      }
    }
  }
  return { spans, rejected };
}

function checkSpan(span: unknown, nowNs: bigint): string | null {
  const traceId = idHex(field(span, "traceId"), 16);
  if (!traceId || /^0+$/.test(traceId)) return "no valid trace_id (16 bytes, not all zero)";
  const spanId = idHex(field(span, "spanId"), 8);
  if (!spanId || /^0+$/.test(spanId)) return "no valid span_id (8 bytes, not all zero)";
  if (idHex(field(span, "parentSpanId"), 8) === null) return "parent_span_id is not 8 bytes";
  const start = nanos(field(span, "startTimeUnixNano"));
  const end = nanos(field(span, "endTimeUnixNano"));
  if (!start || !end) return "missing or malformed start_time_unix_nano or end_time_unix_nano";
  if (end < start) return "end_time_unix_nano is before start_time_unix_nano";
  if (end > nowNs + MAX_FUTURE_SKEW_NS) return "timestamps more than 1 hour in the future";
  return null;
}
