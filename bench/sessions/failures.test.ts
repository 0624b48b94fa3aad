import { describe, expect, it } from "vitest";
import { countFailures, failureLine, loopFailures, mergeFailures } from "./failures";

describe("sessions bench failure accounting", () => {
  it("counts every failed operation and groups them by message", () => {
    const f = countFailures([{ ok: true }, { ok: false, error: "503 busy" }, { ok: false, error: "503 busy" }, { ok: false }]);
    expect(f).toEqual({ attempted: 4, failed: 3, byMessage: { "503 busy": 2, "unknown error": 1 } });
  });

  it("a phase without failures has no failure line; one with failures names them, most frequent first", () => {
    expect(failureLine("burst", countFailures([{ ok: true }]))).toBeNull();
    expect(failureLine("burst", undefined)).toBeNull();
    const f = countFailures([{ ok: false, error: "b" }, { ok: false, error: "a" }, { ok: false, error: "a" }, { ok: true }]);
    expect(failureLine("burst", f)).toBe("burst: 3 of 4 operations failed: 2× a; 1× b");
  });

  it("merges tiers under their labels and counts a closed loop's failures outside its window too", () => {
    const api = loopFailures(10, { timeout: 2 });
    const raw = countFailures([{ ok: true }, { ok: false, error: "runc: exit 1" }]);
    const all = mergeFailures({ api, raw });
    expect(all.attempted).toBe(14);
    expect(all.failed).toBe(3);
    expect(all.byMessage).toEqual({ "api: timeout": 2, "raw: runc: exit 1": 1 });
  });
});
