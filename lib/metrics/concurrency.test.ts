import { describe, expect, it } from "vitest";
import { concurrencySeries, peakPerBucket, stateIntervals, type StateEvent } from "./concurrency";

const T0 = Date.UTC(2030, 0, 1);
const at = (s: number) => new Date(T0 + s * 1000);
const ev = (sessionId: string, toState: string, s: number): StateEvent => ({ sessionId, toState, at: at(s) });

describe("stateIntervals", () => {
  it("runs each state until the session's next event, the last one until the open end", () => {
    const events = [ev("a", "pending", 0), ev("a", "running", 5), ev("a", "paused", 20), ev("b", "running", 10)];
    expect(stateIntervals(events, T0 + 30_000)).toEqual([
      { sessionId: "a", state: "pending", startMs: T0, endMs: T0 + 5_000 },
      { sessionId: "a", state: "running", startMs: T0 + 5_000, endMs: T0 + 20_000 },
      { sessionId: "a", state: "paused", startMs: T0 + 20_000, endMs: T0 + 30_000 },
      { sessionId: "b", state: "running", startMs: T0 + 10_000, endMs: T0 + 30_000 },
    ]);
  });

  it("drops empty intervals (two events at one instant)", () => {
    expect(stateIntervals([ev("a", "starting", 1), ev("a", "running", 1)], T0 + 2_000)).toEqual([
      { sessionId: "a", state: "running", startMs: T0 + 1_000, endMs: T0 + 2_000 },
    ]);
  });
});

describe("peakPerBucket", () => {
  it("counts the most intervals overlapping at one instant in each bucket", () => {
    const ivs = [
      { startMs: 0, endMs: 25 }, // buckets 0..2
      { startMs: 5, endMs: 8 }, // bucket 0
      { startMs: 12, endMs: 14 }, // bucket 1
      { startMs: 16, endMs: 18 }, // bucket 1, not overlapping the one before
    ];
    expect(peakPerBucket(ivs, 0, 40, 10)).toEqual([2, 2, 1, 0]);
  });

  it("does not count a hand-over at the same instant as an overlap, nor an end at a bucket's start", () => {
    expect(peakPerBucket([{ startMs: 0, endMs: 10 }, { startMs: 10, endMs: 20 }], 0, 20, 20)).toEqual([1]);
    expect(peakPerBucket([{ startMs: 0, endMs: 10 }], 0, 20, 10)).toEqual([1, 0]);
  });

  it("clips intervals to the range and keeps a short last bucket", () => {
    expect(peakPerBucket([{ startMs: -100, endMs: 1_000 }], 0, 25, 10)).toEqual([1, 1, 1]);
    expect(peakPerBucket([], 0, 25, 10)).toEqual([0, 0, 0]);
  });

  it("counts an interval that started before the range in every bucket it covers", () => {
    expect(peakPerBucket([{ startMs: -50, endMs: 15 }, { startMs: -5, endMs: 5 }], 0, 30, 10)).toEqual([2, 1, 0]);
  });
});

describe("concurrencySeries", () => {
  it("reports running and paused sessions per bucket", () => {
    const events = [
      ev("a", "running", 0), ev("a", "paused", 30), ev("a", "running", 50), ev("a", "terminated", 70),
      ev("b", "running", 10), ev("b", "hibernated", 40),
      ev("c", "paused", 25),
    ];
    const series = concurrencySeries(events, { fromMs: T0, toMs: T0 + 80_000, openEndMs: T0 + 80_000 }, 20_000);
    expect(series).toEqual([
      { at: at(0).toISOString(), running: 2, paused: 0 }, // a, b running
      { at: at(20).toISOString(), running: 2, paused: 2 }, // a until 30 s and b; c paused from 25 s, a from 30 s
      { at: at(40).toISOString(), running: 1, paused: 2 }, // b stops at 40 s; a paused until 50 s, runs after
      { at: at(60).toISOString(), running: 1, paused: 1 }, // a until 70 s
    ]);
  });

  it("stops open intervals at the open end (now), even when the range reaches further", () => {
    const series = concurrencySeries([ev("a", "running", 0)], { fromMs: T0, toMs: T0 + 40_000, openEndMs: T0 + 15_000 }, 10_000);
    expect(series.map((p) => p.running)).toEqual([1, 1, 0, 0]);
  });
});
