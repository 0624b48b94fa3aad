import { describe, expect, it } from "vitest";
import { checkLayers } from "./check-layers";

describe("code layout", () => {
  it("keeps the layering rules (lib/ below app/, no DB access from app/, env in one place, no cycles)", () => {
    expect(checkLayers()).toEqual([]);
  });
});
