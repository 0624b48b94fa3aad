import type { SessionState } from "../api-types";
import { Badge } from "../ui/badge";
import { STATE_TONES, TRANSITIONAL_STATES } from "./session-state";

/** A session's state; transitional states pulse so a changing row stands out. */
export function SessionStateBadge({ state, testId = "session-state" }: { state: SessionState; testId?: string }) {
  const moving = TRANSITIONAL_STATES.includes(state);
  return (
    <Badge tone={STATE_TONES[state] ?? "neutral"} className="gap-1.5">
      {moving && <span aria-hidden="true" className="h-1.5 w-1.5 animate-pulse rounded-full bg-current" />}
      <span data-testid={testId}>{state}</span>
    </Badge>
  );
}
