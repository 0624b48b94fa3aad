// What the console shows and allows for each session state (ARCHITECTURE.md, "Sessions: the
// state machine"): badge colours, which states are on their way somewhere, and which actions fit.
import type { Session, SessionState } from "../api-types";

export type StateTone = "neutral" | "accent" | "green" | "amber" | "red" | "blue" | "violet";

export const STATE_TONES: Record<SessionState, StateTone> = {
  pending: "blue",
  starting: "accent",
  running: "green",
  paused: "amber",
  hibernating: "violet",
  hibernated: "violet",
  terminating: "neutral",
  terminated: "neutral",
  failed: "red",
};

export const TRANSITIONAL_STATES: readonly SessionState[] = ["pending", "starting", "hibernating", "terminating"];

/** On its way to another state: transitional, or asked to be somewhere it is not yet. */
export function isMoving(s: Pick<Session, "state" | "desiredState">): boolean {
  if (TRANSITIONAL_STATES.includes(s.state)) return true;
  if (s.state === "terminated" || s.state === "failed") return false;
  return s.state !== s.desiredState;
}

/** Poll fast while anything shown is changing, slowly otherwise. */
export const FAST_POLL_MS = 2_000;
export const SLOW_POLL_MS = 10_000;
export function pollInterval(sessions: readonly Pick<Session, "state" | "desiredState">[]): number {
  return sessions.some(isMoving) ? FAST_POLL_MS : SLOW_POLL_MS;
}

export type SessionAction = "pause" | "resume" | "hibernate" | "terminate";

/** The actions that make sense from here (the API has the last word). */
export function allowedActions(s: Pick<Session, "state" | "desiredState">): SessionAction[] {
  if (s.state === "terminated" || s.desiredState === "terminated") return [];
  if (s.state === "failed") return ["terminate"];
  const out: SessionAction[] = [];
  if (s.state === "running" && s.desiredState === "running") out.push("pause");
  if ((s.state === "paused" || s.state === "hibernated") && s.desiredState !== "running") out.push("resume");
  if ((s.state === "running" || s.state === "paused") && s.desiredState !== "hibernated") out.push("hibernate");
  out.push("terminate");
  return out;
}

export function canTerminate(s: Pick<Session, "state" | "desiredState">): boolean {
  return allowedActions(s).includes("terminate");
}

/** Over for good: nothing runs in it and nothing it shows is current. */
export function isEnded(s: Pick<Session, "state">): boolean {
  return s.state === "terminated" || s.state === "failed";
}

/** Whether exec and file requests can reach it (paused and hibernated ones are woken first). */
export function isUsable(s: Pick<Session, "state" | "desiredState">): boolean {
  return s.state !== "terminated" && s.state !== "failed" && s.state !== "terminating" && s.desiredState !== "terminated";
}
