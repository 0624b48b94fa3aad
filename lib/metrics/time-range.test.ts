import { describe, expect, it } from "vitest";
import { AppError } from "../api/errors";
import { bucketWidthMs, MAX_POINTS, MAX_RANGE_MS, resolveTimeRange } from "./time-range";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe("bucketWidthMs", () => {
  it("keeps every range to at most MAX_POINTS buckets", () => {
    for (const range of [1_000, 60_000, HOUR, 6 * HOUR, DAY, 7 * DAY, 30 * DAY, 365 * DAY, MAX_RANGE_MS, 1_000 * DAY]) {
      expect(Math.ceil(range / bucketWidthMs(range))).toBeLessThanOrEqual(MAX_POINTS);
    }
  });

  it("picks the narrowest readable width", () => {
    expect(bucketWidthMs(HOUR)).toBe(10_000); // 3600 s / 500 = 7.2 s → 10 s
    expect(bucketWidthMs(DAY)).toBe(5 * 60_000); // 172.8 s → 5 min
    expect(bucketWidthMs(7 * DAY)).toBe(30 * 60_000); // 1209.6 s → 30 min
    expect(bucketWidthMs(100_000)).toBe(1_000);
    expect(bucketWidthMs(DAY, 24)).toBe(HOUR);
  });

  it("goes beyond a day in whole days", () => {
    expect(bucketWidthMs(1_000 * DAY)).toBe(2 * DAY);
  });
});

describe("resolveTimeRange", () => {
  const now = new Date("2030-01-01T12:00:00Z");

  it("defaults to the last `defaultMs` before now", () => {
    expect(resolveTimeRange({}, HOUR, now)).toEqual({ from: new Date("2030-01-01T11:00:00Z"), to: now });
  });

  it("fills `from` relative to a given `to`, and `to` with now", () => {
    expect(resolveTimeRange({ to: "2030-01-01T06:00:00Z" }, HOUR, now).from).toEqual(new Date("2030-01-01T05:00:00Z"));
    expect(resolveTimeRange({ from: "2029-12-31T00:00:00Z" }, HOUR, now).to).toEqual(now);
  });

  it("refuses empty, reversed and too long ranges", () => {
    const at = "2030-01-01T06:00:00Z";
    expect(() => resolveTimeRange({ from: at, to: at }, HOUR, now)).toThrow(AppError);
    expect(() => resolveTimeRange({ from: "2030-01-01T07:00:00Z", to: at }, HOUR, now)).toThrow(/before/);
    expect(() => resolveTimeRange({ from: "2020-01-01T00:00:00Z", to: at }, HOUR, now)).toThrow(/366 days/);
  });
});
