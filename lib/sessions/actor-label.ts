// How a session's timeline names who asked for a change: the person's email for the console (and
// for a person's own cookie session on the API), "API key bur_…" for a key, the system actor's name
// otherwise. Stored on the session with its desired state and copied onto each transition it causes.
import type { Actor } from "../auth/context";

export function actorLabel(actor: Actor): string {
  if (actor.type === "key") return `API key ${actor.label}`;
  return actor.label;
}

/** The causes whose transitions carry the actor who asked (the platform's own causes have none). */
export const ASKED_CAUSES: readonly string[] = ["api", "wake", "fork"];
