import { describe, expect, it } from "vitest";
import { cpuVcpuBetween } from "./cpu-rate";

describe("cpuVcpuBetween", () => {
  it("is CPU seconds used per wall second", () => {
    expect(cpuVcpuBetween({ cpuSeconds: 10, atMs: 1_000 }, { cpuSeconds: 15, atMs: 6_000 })).toBeCloseTo(1);
    expect(cpuVcpuBetween({ cpuSeconds: 10, atMs: 0 }, { cpuSeconds: 20, atMs: 5_000 })).toBeCloseTo(2);
    expect(cpuVcpuBetween({ cpuSeconds: 3, atMs: 0 }, { cpuSeconds: 3.25, atMs: 5_000 })).toBeCloseTo(0.05);
  });

  it("is zero for an idle sandbox", () => {
    expect(cpuVcpuBetween({ cpuSeconds: 7, atMs: 0 }, { cpuSeconds: 7, atMs: 5_000 })).toBe(0);
  });

  it("has no rate when the counter went back (sandbox recreated) or no time passed", () => {
    expect(cpuVcpuBetween({ cpuSeconds: 100, atMs: 0 }, { cpuSeconds: 0.2, atMs: 5_000 })).toBeNull();
    expect(cpuVcpuBetween({ cpuSeconds: 1, atMs: 5_000 }, { cpuSeconds: 2, atMs: 5_000 })).toBeNull();
    expect(cpuVcpuBetween({ cpuSeconds: 1, atMs: 6_000 }, { cpuSeconds: 2, atMs: 5_000 })).toBeNull();
  });
});
