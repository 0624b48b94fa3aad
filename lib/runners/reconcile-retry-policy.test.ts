import { describe, expect, it } from "vitest";
import { RECONCILE_MAX_ATTEMPTS, ReconcileRetries, shouldMarkFailed } from "./reconcile-retry-policy";

describe("the runner's retry policy", () => {
  it("retries on the next pass twice, then gives up keeping the files, with the last error as the reason", () => {
    const retries = new ReconcileRetries();
    expect(RECONCILE_MAX_ATTEMPTS).toBe(3);
    expect(retries.failed("ses_a", "first")).toEqual({ action: "retry", attempts: 1 });
    expect(retries.failed("ses_a", "second")).toEqual({ action: "retry", attempts: 2 });
    expect(retries.failed("ses_a", "third")).toEqual({ action: "give-up", attempts: 3, keepFiles: true, reason: "third" });
    // Given up: counting starts again (a session not marked failed, e.g. gone meanwhile, gets its full attempts).
    expect(retries.attemptsOf("ses_a")).toBe(0);
    expect(retries.failed("ses_a", "again")).toEqual({ action: "retry", attempts: 1 });
  });

  it("counts failures in a row per session: a success forgets them", () => {
    const retries = new ReconcileRetries();
    retries.failed("ses_a", "x");
    retries.failed("ses_a", "x");
    retries.failed("ses_b", "y");
    retries.succeeded("ses_a");
    expect(retries.failed("ses_a", "x")).toEqual({ action: "retry", attempts: 1 });
    expect(retries.failed("ses_b", "y")).toEqual({ action: "retry", attempts: 2 });
  });

  it("marks failed only a session that still exists and is not already failed or terminated", () => {
    expect(shouldMarkFailed(undefined)).toBe(false);
    expect(shouldMarkFailed("failed")).toBe(false);
    expect(shouldMarkFailed("terminated")).toBe(false);
    for (const state of ["pending", "starting", "running", "paused", "hibernating", "hibernated", "terminating"]) expect(shouldMarkFailed(state)).toBe(true);
  });
});
