import { describe, expect, it } from "vitest";
import { runClosedLoop } from "./closed-loop";
import { runOpenLoop } from "./open-loop";
import { latencyFromSchedule, openLoopPlan, percentile, ratio, round, summarize } from "./stats";

describe("percentile (nearest rank)", () => {
  const oneToHundred = Array.from({ length: 100 }, (_, i) => i + 1);

  it("picks observed values by rank ceil(p/100 * n)", () => {
    expect(percentile(oneToHundred, 50)).toBe(50);
    expect(percentile(oneToHundred, 90)).toBe(90);
    expect(percentile(oneToHundred, 99)).toBe(99);
    expect(percentile(oneToHundred, 99.9)).toBe(100);
    expect(percentile(oneToHundred, 100)).toBe(100);
    expect(percentile(oneToHundred, 0)).toBe(1);
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
    expect(percentile([1, 2, 3, 4], 51)).toBe(3);
  });

  it("handles tiny and empty inputs", () => {
    expect(percentile([7], 1)).toBe(7);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
    expect(() => percentile([1], 101)).toThrow(RangeError);
  });
});

describe("summarize", () => {
  it("sorts numerically without touching the input", () => {
    const input = [10, 9, 100, 2, 1, 3, 5, 4, 8, 7, 6];
    const copy = [...input];
    const s = summarize(input);
    expect(input).toEqual(copy);
    expect(s).toMatchObject({ count: 11, min: 1, p50: 6, p90: 10, p99: 100, max: 100 });
    expect(s.mean).toBeCloseTo(155 / 11);
  });

  it("reports a lone outlier only at the tail", () => {
    const values = [...Array.from({ length: 999 }, () => 1), 500];
    const s = summarize(values);
    expect(s.p50).toBe(1);
    expect(s.p99).toBe(1);
    expect(s.p999).toBe(1);
    expect(s.max).toBe(500);
  });

  it("is all-NaN for no samples", () => {
    const s = summarize([]);
    expect(s.count).toBe(0);
    expect(s.p50).toBeNaN();
    expect(s.max).toBeNaN();
  });
});

describe("ratio and round", () => {
  it("gives null instead of NaN or Infinity", () => {
    expect(ratio(3, 2)).toBe(1.5);
    expect(ratio(1, 0)).toBeNull();
    expect(ratio(NaN, 1)).toBeNull();
    expect(round(1.23456, 2)).toBe(1.23);
    expect(round(NaN)).toBeNull();
  });
});

describe("open-loop latency math", () => {
  it("plans floor(rate * duration) sends at 1/rate intervals", () => {
    expect(openLoopPlan(1000, 10_000)).toEqual({ count: 10_000, intervalMs: 1 });
    expect(openLoopPlan(3, 1000)).toEqual({ count: 3, intervalMs: 1000 / 3 });
    expect(openLoopPlan(3, 900).count).toBe(2);
    expect(openLoopPlan(0, 1000).count).toBe(0);
  });

  it("charges queueing behind a stall to every request queued (no coordinated omission)", () => {
    // Requests due every 10 ms; the first one stalls 100 ms and the rest queue behind it on one
    // connection, each then served in 1 ms. Service time hides the stall, due-time latency does not.
    const due = Array.from({ length: 10 }, (_, i) => i * 10);
    let free = 0;
    const fromDue: number[] = [];
    const service: number[] = [];
    for (const [i, d] of due.entries()) {
      const start = Math.max(d, free);
      const done = start + (i === 0 ? 100 : 1);
      free = done;
      fromDue.push(latencyFromSchedule(d, done));
      service.push(done - start);
    }
    expect(summarize(service).p50).toBe(1);
    expect(fromDue).toEqual([100, 91, 82, 73, 64, 55, 46, 37, 28, 19]);
    expect(summarize(fromDue).p50).toBe(55);
  });
});

describe("load loops (real timers, short)", () => {
  it("open loop sends the planned count and measures from due time", async () => {
    const r = await runOpenLoop({ ratePerSec: 500, durationMs: 100, op: async () => {} });
    expect(r.scheduled).toBe(50);
    expect(r.ok).toBe(50);
    expect(r.errors + r.dropped + r.unfinished).toBe(0);
    expect(r.latencyMs.min).toBeGreaterThanOrEqual(r.serviceTimeMs.min);
  });

  it("open loop counts failures and drops beyond maxInFlight", async () => {
    let n = 0;
    const r = await runOpenLoop({
      ratePerSec: 1000,
      durationMs: 20,
      maxInFlight: 5,
      op: () => (n++ % 2 ? Promise.reject(new Error("boom")) : new Promise((res) => setTimeout(res, 50))),
    });
    expect(r.scheduled).toBe(20);
    expect(r.ok + r.errors + r.dropped).toBe(20);
    expect(r.dropped).toBeGreaterThan(0);
    expect(r.errorSamples[0]).toBe("boom");
  });

  it("closed loop counts only what completes inside the measured window", async () => {
    const r = await runClosedLoop({ concurrency: 2, warmupMs: 20, durationMs: 100, op: () => new Promise((res) => setTimeout(res, 5)) });
    expect(r.errors).toBe(0);
    expect(r.ok).toBeGreaterThan(10);
    expect(r.ok).toBeLessThanOrEqual(2 * (100 / 5) + 2);
    expect(r.throughput).toBeGreaterThan(0);
  });
});
