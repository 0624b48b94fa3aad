// A runner that has been silent for longer than the lost threshold, as watched by this scheduler,
// is lost. Its sessions fall back to their last snapshot (hibernated, data as of that snapshot) or,
// without one, fail with reason runner_lost. Their files on the runner's host are not deleted: a
// runner that comes back moves them to its quarantine (see README, "Lost runners").
import { db } from "../db/client";
import { recordTransition, StaleStateError } from "../sessions/record-transition";
import type { SessionState } from "../sessions/state-machine";
import { isRunnerLost } from "./liveness";

export type DeclareLostOptions = {
  /** Since when the caller has been watching (the scheduler: its own start). */
  observingSince: Date;
  /** Only these runners (tests); the scheduler passes none, which means all. */
  runnerIds?: string[];
  now?: Date;
  timeoutSeconds?: number;
};

export async function declareLostRunners(opts: DeclareLostOptions): Promise<{ lost: number; hibernated: number; failed: number }> {
  const now = opts.now ?? new Date();
  const candidates = await db().runner.findMany({
    where: { status: { in: ["online", "offline"] }, ...(opts.runnerIds ? { id: { in: opts.runnerIds } } : {}) },
    take: 10_000,
  });
  let lost = 0;
  let hibernated = 0;
  let failed = 0;
  for (const runner of candidates) {
    if (!isRunnerLost(runner, { now, observingSince: opts.observingSince, timeoutSeconds: opts.timeoutSeconds })) continue;
    // Compare-and-set on what we judged: a heartbeat or a re-registration (new epoch) that landed
    // since the read wins, and the runner keeps its sessions.
    const { count } = await db().runner.updateMany({
      where: { id: runner.id, epoch: runner.epoch, lastHeartbeatAt: runner.lastHeartbeatAt, status: runner.status },
      data: { status: "lost" },
    });
    if (count === 0) continue;
    lost++;
    const given = await giveUpSessions(runner.id);
    hibernated += given.hibernated;
    failed += given.failed;
  }
  return { lost, hibernated, failed };
}

/**
 * Sessions a runner holds fall back to their snapshot (hibernated) or fail with runner_lost; the
 * runner's host is not asked. For a lost runner, and for one that registers unable to run sandboxes.
 */
export async function giveUpSessions(runnerId: string): Promise<{ hibernated: number; failed: number }> {
  let hibernated = 0;
  let failed = 0;
  const sessions = await db().session.findMany({ where: { runnerId, state: { notIn: ["terminated", "hibernated", "failed"] } }, take: 10_000 });
  for (const s of sessions) {
    const current = { id: s.id, tenantId: s.tenantId, state: s.state as SessionState, stateChangedAt: s.stateChangedAt, lifetimeUsedSeconds: s.lifetimeUsedSeconds };
    try {
      if (s.snapshotId && s.desiredState !== "terminated") {
        await recordTransition(current, "hibernated", "runner_lost", { set: { runnerId: null }, detail: { runnerId, dataAsOf: s.snapshotId } });
        hibernated++;
      } else if (s.desiredState === "terminated" || s.state === "terminating") {
        // Nothing left to clean up on a host that is gone.
        const terminating = s.state === "terminating" ? current : await recordTransition(current, "terminating", "runner_lost");
        await recordTransition(terminating, "terminated", "runner_lost", { set: { runnerId: null } });
      } else {
        await recordTransition(current, "failed", "runner_lost", { detail: { reason: "runner_lost", runnerId }, set: { runnerId: null } });
        failed++;
      }
    } catch (err) {
      if (!(err instanceof StaleStateError)) throw err;
    }
  }
  return { hibernated, failed };
}
