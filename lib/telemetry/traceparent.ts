// W3C Trace Context `traceparent`: version-traceid-parentid-flags, lowercase hex. A header that
// fails any rule is ignored as a whole (the spec: start a new trace rather than guess).
import { randomBytes } from "node:crypto";

export type SpanContext = { traceId: string; spanId: string; sampled: boolean };

const ZERO_TRACE = "0".repeat(32);
const ZERO_SPAN = "0".repeat(16);
// Version 00 is exactly 55 characters; a later version may append "-…" fields we do not read.
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

export function parseTraceparent(header: string | null | undefined): SpanContext | null {
  if (!header) return null;
  const match = TRACEPARENT.exec(header.trim());
  if (!match) return null;
  const [, version, traceId, spanId, flags, rest] = match;
  if (version === "ff") return null; // forbidden version
  if (version === "00" && rest !== undefined) return null; // version 00 has exactly four fields
  if (traceId === ZERO_TRACE || spanId === ZERO_SPAN) return null;
  return { traceId, spanId, sampled: (parseInt(flags, 16) & 1) === 1 };
}

export function formatTraceparent(ctx: SpanContext): string {
  return `00-${ctx.traceId}-${ctx.spanId}-${ctx.sampled ? "01" : "00"}`;
}

export function isValidTraceId(id: string): boolean {
  return /^[0-9a-f]{32}$/.test(id) && id !== ZERO_TRACE;
}

export function isValidSpanId(id: string): boolean {
  return /^[0-9a-f]{16}$/.test(id) && id !== ZERO_SPAN;
}

/** Random non-zero ids (an all-zero draw is astronomically unlikely, but invalid, so redraw). */
export function newTraceId(): string {
  for (;;) {
    const id = randomBytes(16).toString("hex");
    if (id !== ZERO_TRACE) return id;
  }
}

export function newSpanId(): string {
  for (;;) {
    const id = randomBytes(8).toString("hex");
    if (id !== ZERO_SPAN) return id;
  }
}
