// The session state machine of ARCHITECTURE.md. `state` is what the runner observed; the API and
// the scheduler only write `desiredState`, one of the resting states below.
export const SESSION_STATES = [
  "pending", "starting", "running", "paused", "hibernating", "hibernated", "terminating", "terminated", "failed",
] as const;
export type SessionState = (typeof SESSION_STATES)[number];

export const DESIRED_STATES = ["running", "paused", "hibernated", "terminated"] as const;
export type DesiredState = (typeof DESIRED_STATES)[number];

export type TransitionCause = "api" | "idle" | "lifetime" | "quota" | "runner_lost" | "runner" | "wake" | "error" | "retention" | "spend_limit"
  /** Its container was gone (host rebooted) and a new one was started on its files: processes lost, files kept. */
  | "recovered"
  /** A new session's first start on the files of another session's snapshot. */
  | "fork"
  /** A create took a started sandbox from a warm pool: the session's first state is running. */
  | "warm_pool";

const TRANSITIONS: Record<SessionState, readonly SessionState[]> = {
  pending: ["starting", "hibernated", "terminating", "terminated", "failed"],
  starting: ["running", "terminating", "failed", "hibernated"],
  // running -> running: recovered, a new container on the same files (the old one's processes are gone).
  running: ["running", "paused", "hibernating", "terminating", "failed", "hibernated"],
  paused: ["running", "hibernating", "terminating", "failed", "hibernated"],
  hibernating: ["hibernated", "running", "failed", "terminating"],
  hibernated: ["starting", "terminating", "terminated", "failed"],
  terminating: ["terminated", "failed"],
  terminated: [],
  failed: ["terminating", "terminated"],
};

export function canTransition(from: SessionState, to: SessionState): boolean {
  return TRANSITIONS[from].includes(to);
}

export const FINAL_STATES: readonly SessionState[] = ["terminated"];
/** States in which the session holds compute on its runner (counted by quotas and placement). */
export const ACTIVE_STATES: readonly SessionState[] = ["pending", "starting", "running", "paused", "hibernating"];
/** States whose time counts against maxLifetimeSeconds (hibernated time does not). */
export const LIFETIME_STATES: readonly SessionState[] = ["running", "paused"];

/** Whether a session in `state` already is where `desired` wants it. */
export function isSettled(state: SessionState, desired: DesiredState): boolean {
  if (desired === "terminated") return state === "terminated";
  if (state === "failed" || state === "terminated") return true;
  return state === desired;
}
