import { describe, expect, it } from "vitest";
import { parseWarmPoolSetting } from "./warm-pool-setting";

describe("parseWarmPoolSetting", () => {
  it("reads template, shape and size per entry", () => {
    expect(parseWarmPoolSetting("")).toEqual([]);
    expect(parseWarmPoolSetting("base:1x512x1024:2, tpl_01ABC:0.5x256x512:1")).toEqual([
      { template: "base", vcpu: 1, memoryMib: 512, diskMib: 1024, size: 2 },
      { template: "tpl_01ABC", vcpu: 0.5, memoryMib: 256, diskMib: 512, size: 1 },
    ]);
  });

  it("refuses what it cannot read", () => {
    expect(() => parseWarmPoolSetting("base:1x512:2")).toThrow(/template:VCPUxMEMORYxDISK:SIZE/);
    expect(() => parseWarmPoolSetting("base:0x512x1024:2")).toThrow(/above 0/);
  });
});
