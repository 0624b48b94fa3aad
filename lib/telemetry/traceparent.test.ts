import { describe, expect, it } from "vitest";
import { formatTraceparent, isValidSpanId, isValidTraceId, newSpanId, newTraceId, parseTraceparent } from "./traceparent";

const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const SPAN = "00f067aa0ba902b7";

describe("parseTraceparent", () => {
  it("reads a valid version 00 header", () => {
    expect(parseTraceparent(`00-${TRACE}-${SPAN}-01`)).toEqual({ traceId: TRACE, spanId: SPAN, sampled: true });
    expect(parseTraceparent(`00-${TRACE}-${SPAN}-00`)).toEqual({ traceId: TRACE, spanId: SPAN, sampled: false });
    expect(parseTraceparent(`  00-${TRACE}-${SPAN}-01 `)?.traceId).toBe(TRACE);
  });

  it("accepts a future version with extra fields, and reads only the known ones", () => {
    expect(parseTraceparent(`01-${TRACE}-${SPAN}-03-what-ever`)).toEqual({ traceId: TRACE, spanId: SPAN, sampled: true });
  });

  it.each([
    ["missing", undefined],
    ["empty", ""],
    ["version ff", `ff-${TRACE}-${SPAN}-01`],
    ["all-zero trace id", `00-${"0".repeat(32)}-${SPAN}-01`],
    ["all-zero span id", `00-${TRACE}-${"0".repeat(16)}-01`],
    ["uppercase hex", `00-${TRACE.toUpperCase()}-${SPAN}-01`],
    ["short trace id", `00-${TRACE.slice(1)}-${SPAN}-01`],
    ["long span id", `00-${TRACE}-${SPAN}0-01`],
    ["extra field on version 00", `00-${TRACE}-${SPAN}-01-extra`],
    ["non-hex", `00-${TRACE.slice(0, 31)}g-${SPAN}-01`],
    ["wrong separators", `00_${TRACE}_${SPAN}_01`],
    ["one-digit flags", `00-${TRACE}-${SPAN}-1`],
  ])("ignores %s", (_, header) => {
    expect(parseTraceparent(header)).toBeNull();
  });
});

describe("ids", () => {
  it("formats what it parses", () => {
    const ctx = { traceId: TRACE, spanId: SPAN, sampled: true };
    expect(parseTraceparent(formatTraceparent(ctx))).toEqual(ctx);
    expect(formatTraceparent({ ...ctx, sampled: false })).toBe(`00-${TRACE}-${SPAN}-00`);
  });

  it("makes valid random ids", () => {
    const traces = new Set(Array.from({ length: 100 }, newTraceId));
    expect(traces.size).toBe(100);
    for (const t of traces) expect(isValidTraceId(t)).toBe(true);
    expect(isValidSpanId(newSpanId())).toBe(true);
    expect(isValidTraceId("0".repeat(32))).toBe(false);
    expect(isValidSpanId("0".repeat(16))).toBe(false);
  });
});
