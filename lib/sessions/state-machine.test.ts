import { describe, expect, it } from "vitest";
import { canTransition, SESSION_STATES } from "./state-machine";

describe("session state machine", () => {
  it("allows the documented transitions only", () => {
    expect(canTransition("running", "paused")).toBe(true);
    expect(canTransition("paused", "running")).toBe(true);
    expect(canTransition("hibernated", "starting")).toBe(true);
    expect(canTransition("terminated", "running")).toBe(false);
    expect(canTransition("hibernated", "paused")).toBe(false);
    for (const s of SESSION_STATES) expect(canTransition(s, "terminated") || canTransition(s, "terminating") || s === "terminated").toBe(true);
  });
});
