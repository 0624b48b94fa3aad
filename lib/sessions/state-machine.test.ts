import { describe, expect, it } from "vitest";
import { canTransition, DESIRED_STATES, isSettled, nextStep, SESSION_STATES, type SessionState } from "./state-machine";

describe("session state machine", () => {
  it("allows the documented transitions only", () => {
    expect(canTransition("running", "paused")).toBe(true);
    expect(canTransition("paused", "running")).toBe(true);
    expect(canTransition("hibernated", "starting")).toBe(true);
    expect(canTransition("terminated", "running")).toBe(false);
    expect(canTransition("hibernated", "paused")).toBe(false);
    for (const s of SESSION_STATES) expect(canTransition(s, "terminated") || canTransition(s, "terminating") || s === "terminated").toBe(true);
  });

  it("always reaches the desired state by legal steps within a few moves", () => {
    const starts: SessionState[] = ["pending", "running", "paused", "hibernated", "starting", "hibernating"];
    for (const start of starts) {
      for (const desired of DESIRED_STATES) {
        let state = start;
        for (let i = 0; i < 6 && !isSettled(state, desired); i++) {
          const next = nextStep(state, desired);
          if (next === null) break;
          expect(canTransition(state, next), `${state} -> ${next} on the way to ${desired}`).toBe(true);
          state = next;
        }
        expect(isSettled(state, desired), `${start} -> ${desired} ended at ${state}`).toBe(true);
      }
    }
  });
});
