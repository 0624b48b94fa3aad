import { describe, expect, it } from "vitest";
import { assertIdMap, hostIdOf, insideIdOf, ociIdMappings, OVERFLOW_ID } from "./id-map";

describe("id map", () => {
  const map = { hostBase: 100_000, size: 65_536 };
  it("maps inside ids into the range and back; outside owners are nobody", () => {
    expect(hostIdOf(map, 0)).toBe(100_000);
    expect(hostIdOf(map, 1000)).toBe(101_000);
    expect(insideIdOf(map, 101_000)).toBe(1000);
    expect(insideIdOf(map, 0)).toBe(OVERFLOW_ID);
    expect(insideIdOf(map, 165_536)).toBe(OVERFLOW_ID);
    expect(hostIdOf(map, 70_000)).toBe(100_000 + OVERFLOW_ID);
  });
  it("is the identity without a range", () => {
    expect(hostIdOf(null, 1000)).toBe(1000);
    expect(insideIdOf(null, 0)).toBe(0);
  });
  it("gives the OCI mappings and refuses a range that includes host root", () => {
    expect(ociIdMappings(map).uidMappings).toEqual([{ containerID: 0, hostID: 100_000, size: 65_536 }]);
    expect(() => assertIdMap({ hostBase: 0, size: 65_536 })).toThrow(/Invalid/);
    expect(() => assertIdMap({ hostBase: 0xffff0000, size: 65_536 })).toThrow(/Invalid/);
  });
});
