import { describe, expect, it } from "vitest";
import { checkJobScopes, schedulerJobNames, unscopedJobCalls } from "./check-job-scopes";

describe("scoped jobs in tests", () => {
  it("finds no test calling a cluster-wide job without a scope, and knows every scheduler job", () => {
    expect(checkJobScopes()).toEqual([]);
  });

  it("flags a call without its scope key and accepts one with it or with a reasoned marker", () => {
    const text = [
      "await applyIdlePolicy();",
      "await enforceSpendLimits({ now: nextPeriod });",
      "await declareLostRunners({",
      "  observingSince: new Date(0),",
      "});",
      "await applyIdlePolicy({ tenantIds: [t.id] });",
      "await terminateUnplacedSessions({ tenantIds });",
      "// job-scope: all (own Postgres)",
      "await rollupUsage();",
      "await rollupUsage(); // job-scope: all",
      "// applyIdlePolicy() in a comment is not a call",
      "export async function applyIdlePolicy(scope = {}) {}",
    ].join("\n");
    expect(unscopedJobCalls(text, "x.ts")).toEqual([
      "x.ts:1: applyIdlePolicy() names no tenantIds",
      "x.ts:2: enforceSpendLimits({ now: nextPeriod }) names no tenantIds",
      "x.ts:3: declareLostRunners({ observingSince: new Date(0), }) names no runnerIds",
      "x.ts:10: rollupUsage() names no tenantId",
    ]);
  });

  it("reads the scheduler's jobs from its imports", () => {
    const source = [
      'import { pruneIdempotencyRecords } from "../../lib/api/prune-idempotency";',
      'import { disconnectDb } from "../../lib/db/client";',
      'import { collectSnapshotGarbage, expireSnapshots } from "../../lib/snapshots/retention";',
      'import { stopWhenParentGone } from "../watch-parent";',
    ].join("\n");
    expect(schedulerJobNames(source)).toEqual(["pruneIdempotencyRecords", "collectSnapshotGarbage", "expireSnapshots"]);
  });
});
