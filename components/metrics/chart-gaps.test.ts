import { describe, expect, it } from "vitest";
import { insertGaps, sampleInterval, shadedPeriods } from "./chart-gaps";

const row = (t: number, v = 1) => ({ t, cpu: v });

describe("insertGaps", () => {
  it("leaves evenly spaced samples alone", () => {
    const rows = [row(0), row(5), row(10), row(15)];
    expect(insertGaps(rows, ["cpu"])).toEqual(rows);
  });

  it("puts a null row in the middle of a gap wider than two intervals", () => {
    const rows = [row(0), row(5), row(10), row(60), row(65)];
    expect(insertGaps(rows, ["cpu"])).toEqual([row(0), row(5), row(10), { t: 35, cpu: null }, row(60), row(65)]);
  });

  it("keeps a gap of exactly two intervals connected (one missed sample is jitter)", () => {
    const rows = [row(0), row(5), row(15), row(20)];
    expect(insertGaps(rows, ["cpu"])).toHaveLength(4);
  });

  it("uses the given interval (buckets) over the samples' own spacing", () => {
    expect(insertGaps([row(0), row(100)], ["cpu"], 10)).toEqual([row(0), { t: 50, cpu: null }, row(100)]);
    expect(insertGaps([row(0), row(100)], ["cpu"])).toHaveLength(2); // two points: nothing to compare
  });

  it("nulls every series", () => {
    const out = insertGaps([{ t: 0, a: 1, b: 2 }, { t: 1, a: 1, b: 2 }, { t: 9, a: 1, b: 2 }], ["a", "b"]);
    expect(out[2]).toEqual({ t: 5, a: null, b: null });
  });
});

describe("sampleInterval", () => {
  it("is the median spacing, so one long gap does not stretch it", () => {
    expect(sampleInterval([0, 5, 10, 15, 100])).toBe(5);
    expect(sampleInterval([0])).toBe(0);
  });
});

describe("shadedPeriods", () => {
  const at = (ms: number) => new Date(ms).toISOString();
  const events = [
    { toState: "running", at: at(1000) },
    { toState: "paused", at: at(2000) },
    { toState: "running", at: at(3000) },
    { toState: "hibernating", at: at(4000) },
    { toState: "hibernated", at: at(4500) },
    { toState: "starting", at: at(6000) },
    { toState: "running", at: at(6500) },
    { toState: "paused", at: at(8000) },
  ];

  it("gives the paused and hibernated periods, the open one ending now", () => {
    expect(shadedPeriods(events, 0, 9000)).toEqual([
      { state: "paused", from: 2000, to: 3000 },
      { state: "hibernated", from: 4500, to: 6000 },
      { state: "paused", from: 8000, to: 9000 },
    ]);
  });

  it("clips to the chart's range and drops what is outside it", () => {
    expect(shadedPeriods(events, 2500, 5000)).toEqual([
      { state: "paused", from: 2500, to: 3000 },
      { state: "hibernated", from: 4500, to: 5000 },
    ]);
  });
});
