import { describe, expect, it } from "vitest";
import { idPattern, newId } from "./ids";

describe("newId", () => {
  it("has the prefix and the documented shape", () => {
    expect(newId("key")).toMatch(idPattern);
    expect(newId("key").startsWith("key_")).toBe(true);
  });

  it("sorts by creation time", () => {
    const ids = [1_000, 2_000, 1_700_000_000_000, 1_700_000_000_001].map((t) => newId("aud", t));
    expect([...ids].sort()).toEqual(ids);
  });

  it("does not repeat", () => {
    const ids = new Set(Array.from({ length: 10_000 }, () => newId("req", 42)));
    expect(ids.size).toBe(10_000);
  });
});
