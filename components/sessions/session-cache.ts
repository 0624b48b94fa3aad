// How answers from different places (the stream, an action's own response, a refetch) combine in
// the cached session and timeline: never step back to an older state, never show a step twice.
import type { Session, SessionEvent } from "../api-types";

/**
 * The newer of two views of one session. An action's answer can arrive after the stream already
 * showed the state the runner reached: its desired state is news, its state is not.
 */
export function mergeSession(prev: Session | undefined, next: Session): Session {
  if (!prev) return next;
  if (Date.parse(prev.stateChangedAt) > Date.parse(next.stateChangedAt)) return prev;
  return next;
}

/** The timeline with `added` in it once each, in order of id (ids sort by time). */
export function mergeTransitions(current: readonly SessionEvent[], added: readonly SessionEvent[]): SessionEvent[] {
  const byId = new Map(current.map((e) => [e.id, e]));
  for (const e of added) byId.set(e.id, e);
  return [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
