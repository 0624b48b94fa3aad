import { describe, expect, it } from "vitest";
import { durationBarPercent, parseDurationMs, traceFilterQuery } from "./trace-list";

describe("trace list filters", () => {
  it("reads durations as people type them", () => {
    expect(parseDurationMs("")).toBeUndefined();
    expect(parseDurationMs("250")).toBe(250);
    expect(parseDurationMs("250 ms")).toBe(250);
    expect(parseDurationMs("1.5s")).toBe(1500);
    expect(parseDurationMs("2m")).toBe(120_000);
    expect(parseDurationMs("fast")).toBeNull();
    expect(parseDurationMs("-5")).toBeNull();
    expect(parseDurationMs("2d")).toBeNull();
  });

  it("sends only the filters that are set, and refuses a duration it cannot read", () => {
    expect(traceFilterQuery({ status: "", name: " ", minDuration: "" })).toEqual({ query: {} });
    expect(traceFilterQuery({ status: "error", name: " exec ", minDuration: "1s" })).toEqual({ query: { status: "error", name: "exec", minDurationMs: "1000" } });
    const bad = traceFilterQuery({ status: "ok", name: "", minDuration: "slow" });
    expect(bad.query).toEqual({ status: "ok" });
    expect(bad.durationError).toMatch(/250ms/);
  });

  it("sizes duration bars against the longest trace shown", () => {
    expect(durationBarPercent(500, 1000)).toBe(50);
    expect(durationBarPercent(1000, 1000)).toBe(100);
    expect(durationBarPercent(0.001, 1000)).toBe(1);
    expect(durationBarPercent(5, 0)).toBe(1);
  });
});
