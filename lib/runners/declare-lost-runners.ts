// A runner that missed its heartbeats is lost. Its sessions fall back to their last snapshot
// (hibernated, data as of that snapshot) or, without one, fail with reason runner_lost.
import { db } from "../db/client";
import { recordTransition, StaleStateError } from "../sessions/record-transition";
import type { SessionState } from "../sessions/state-machine";
import { HEARTBEAT_TIMEOUT_SECONDS } from "./liveness";

export async function declareLostRunners(now = new Date()): Promise<{ lost: number; hibernated: number; failed: number }> {
  const cutoff = new Date(now.getTime() - HEARTBEAT_TIMEOUT_SECONDS * 1000);
  const lost = await db().runner.findMany({ where: { status: { in: ["online", "offline"] }, lastHeartbeatAt: { lt: cutoff } } });
  let hibernated = 0;
  let failed = 0;
  for (const runner of lost) {
    await db().runner.update({ where: { id: runner.id }, data: { status: "lost" } });
    const sessions = await db().session.findMany({ where: { runnerId: runner.id, state: { notIn: ["terminated", "hibernated", "failed"] } }, take: 10_000 });
    for (const s of sessions) {
      const current = { id: s.id, tenantId: s.tenantId, state: s.state as SessionState, stateChangedAt: s.stateChangedAt, lifetimeUsedSeconds: s.lifetimeUsedSeconds };
      try {
        if (s.snapshotId && s.desiredState !== "terminated") {
          await recordTransition(current, "hibernated", "runner_lost", { set: { runnerId: null }, detail: { runnerId: runner.id, dataAsOf: s.snapshotId } });
          hibernated++;
        } else if (s.desiredState === "terminated" || s.state === "terminating") {
          // Nothing left to clean up on a host that is gone.
          const terminating = s.state === "terminating" ? current : await recordTransition(current, "terminating", "runner_lost");
          await recordTransition(terminating, "terminated", "runner_lost", { set: { runnerId: null } });
        } else {
          await recordTransition(current, "failed", "runner_lost", { detail: { reason: "runner_lost", runnerId: runner.id }, set: { runnerId: null } });
          failed++;
        }
      } catch (err) {
        if (!(err instanceof StaleStateError)) throw err;
      }
    }
  }
  return { lost: lost.length, hibernated, failed };
}
