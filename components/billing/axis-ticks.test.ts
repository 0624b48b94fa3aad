import { describe, expect, it } from "vitest";
import { formatAxisTick } from "./axis-ticks";

const tick = (v: number) => formatAxisTick(v, "en-US");

describe("chart axis ticks", () => {
  it("keeps the digits of small quantities (GiB-hours of a few MB)", () => {
    expect([0, 0.0005, 0.001, 0.0015, 0.002].map(tick)).toEqual(["0", "0.0005", "0.001", "0.0015", "0.002"]);
    expect(tick(0.000001)).toBe("0.000001");
    expect(tick(0.00125)).toBe("0.00125");
    expect(tick(0.3333333)).toBe("0.333");
  });

  it("writes ordinary and large quantities shortly", () => {
    expect([0, 2.5, 5, 7.5, 10].map(tick)).toEqual(["0", "2.5", "5", "7.5", "10"]);
    expect(tick(1500)).toBe("1,500");
    expect(tick(15_000)).toBe("15K");
    expect(tick(2_000_000)).toBe("2M");
    expect(tick(-0.004)).toBe("-0.004");
    expect(tick(Number.NaN)).toBe("");
  });
});
