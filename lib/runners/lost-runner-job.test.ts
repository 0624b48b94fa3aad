import { describe, expect, it } from "vitest";
import type { DeclareLostOptions } from "./declare-lost-runners";
import { createLostRunnerJob } from "./lost-runner-job";

describe("createLostRunnerJob", () => {
  it("watches from its start, and again from the end of a run that could not reach the database", async () => {
    const seen: Date[] = [];
    let fail = false;
    const started = new Date(Date.now() - 3_600_000);
    const job = createLostRunnerJob(started, async (opts: DeclareLostOptions) => {
      seen.push(opts.observingSince);
      if (fail) throw new Error("database unreachable");
      return { lost: 0, hibernated: 0, failed: 0 };
    });
    await job();
    expect(seen[0]).toEqual(started);
    fail = true;
    const failedAt = Date.now();
    await expect(job()).rejects.toThrow("database unreachable");
    fail = false;
    await job();
    expect(seen[2].getTime()).toBeGreaterThanOrEqual(failedAt);
  });
});
