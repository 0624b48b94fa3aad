import { describe, expect, it } from "vitest";
import type { Session } from "../api-types";
import { mergeSession, mergeTransitions } from "./session-cache";

const view = (state: string, stateChangedAt: string, desiredState = state) => ({ id: "ses_1", state, desiredState, stateChangedAt }) as unknown as Session;

describe("the cached session", () => {
  it("keeps a newer streamed state over an older answer that arrives after it", () => {
    const streamed = view("paused", "2026-12-06T21:05:27.865Z");
    const lateRefetch = view("running", "2026-12-06T21:05:25.048Z", "paused");
    expect(mergeSession(streamed, lateRefetch)).toBe(streamed);
  });

  it("takes an answer that is as new or newer (the desired state is news)", () => {
    const cached = view("running", "2026-12-06T21:05:25.048Z");
    const answer = view("running", "2026-12-06T21:05:25.048Z", "paused");
    expect(mergeSession(cached, answer)).toBe(answer);
    expect(mergeSession(undefined, answer)).toBe(answer);
  });

  it("keeps each transition once, in id order", () => {
    const e = (id: string) => ({ id }) as never;
    expect(mergeTransitions([e("b"), e("a")], [e("c"), e("a")]).map((x: { id: string }) => x.id)).toEqual(["a", "b", "c"]);
  });
});
