// When is a runner gone? Only when nobody has heard from it for longer than the lost threshold, and
// only counting time the deciding process has itself watched: a scheduler that has just started
// (say after the whole stack was down) cannot know whether a runner is about to register again, so
// it waits the full threshold from its own start before giving anything up.

/** A runner heartbeats this often (from its own thread and database connection). */
export const HEARTBEAT_INTERVAL_MS = 2_000;
/** After this long without a heartbeat (seven missed beats) a runner is declared lost. */
export const HEARTBEAT_TIMEOUT_SECONDS = 15;

/** Statuses a runner can be declared lost from (`lost` already is; `offline` stopped cleanly). */
const WATCHED_STATUSES = new Set(["online", "offline"]);

export type RunnerLiveness = { status: string; lastHeartbeatAt: Date };

export type LostDecision = {
  now: Date;
  /** Since when the decider has been watching (a scheduler: its start). Silence before it is not counted. */
  observingSince: Date;
  timeoutSeconds?: number;
};

/** The silence the decider has itself observed, in ms. */
export function observedSilenceMs(runner: RunnerLiveness, at: LostDecision): number {
  const heardOrWatching = Math.max(runner.lastHeartbeatAt.getTime(), at.observingSince.getTime());
  return at.now.getTime() - heardOrWatching;
}

export function isRunnerLost(runner: RunnerLiveness, at: LostDecision): boolean {
  if (!WATCHED_STATUSES.has(runner.status)) return false;
  const timeoutMs = Math.max(at.timeoutSeconds ?? HEARTBEAT_TIMEOUT_SECONDS, 2 * HEARTBEAT_INTERVAL_MS / 1000) * 1000;
  return observedSilenceMs(runner, at) > timeoutMs;
}
