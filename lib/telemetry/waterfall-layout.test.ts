import { describe, expect, it } from "vitest";
import { axisTicks, layoutWaterfall } from "./waterfall-layout";

const span = (spanId: string, parentSpanId: string | null, start: number, end: number) => ({ spanId, parentSpanId, startNs: String(start), endNs: String(end) });

describe("layoutWaterfall", () => {
  it("puts children under their parent, siblings by start, with depth and position", () => {
    const { rows, durationNs } = layoutWaterfall([
      span("c2", "root", 600, 900), span("root", null, 100, 1100), span("c1", "root", 200, 500), span("g1", "c1", 300, 400),
    ]);
    expect(rows.map((r) => [r.span.spanId, r.depth])).toEqual([["root", 0], ["c1", 1], ["g1", 2], ["c2", 1]]);
    expect(durationNs).toBe(1000n);
    expect(rows[0]).toMatchObject({ offsetPct: 0, widthPct: 100 });
    expect(rows[1]).toMatchObject({ offsetPct: 10, widthPct: 30 });
  });

  it("treats a span whose parent is missing as a root and survives a parent cycle", () => {
    const { rows } = layoutWaterfall([span("a", "external", 0, 10), span("x", "y", 5, 6), span("y", "x", 6, 7)]);
    expect(rows.map((r) => r.span.spanId).sort()).toEqual(["a", "x", "y"]);
    expect(rows.find((r) => r.span.spanId === "a")?.depth).toBe(0);
  });

  it("handles an empty trace and zero durations", () => {
    expect(layoutWaterfall([]).rows).toEqual([]);
    expect(layoutWaterfall([span("a", null, 5, 5)]).rows[0]).toMatchObject({ offsetPct: 0, widthPct: 0 });
  });
});

describe("axisTicks", () => {
  it("gives round steps covering the axis", () => {
    expect(axisTicks(1000)).toEqual([0, 200, 400, 600, 800, 1000]);
    expect(axisTicks(7)).toEqual([0, 2, 4, 6]);
    expect(axisTicks(0)).toEqual([0]);
  });
});
