"use client";

import type { Session, SessionEvent, SessionState } from "../api-types";
import { formatDateTime, formatRelative } from "../format";
import { Badge } from "../ui/badge";
import { Card, CardHeader } from "../ui/card";
import { ErrorState, LoadingState } from "../ui/states";
import { STATE_TONES } from "./session-state";
import { SessionStateBadge } from "./session-state-badge";
import { useSessionEvents } from "./use-sessions";

const CAUSE_TONES: Record<string, "neutral" | "accent" | "amber" | "red" | "blue"> = {
  api: "accent", fork: "blue", idle: "amber", lifetime: "amber", quota: "red", runner_lost: "red", error: "red", wake: "blue", runner: "neutral", retention: "neutral", recovered: "amber",
};
const CAUSE_TEXT: Record<string, string> = {
  api: "asked through the API", idle: "idle policy", lifetime: "lifetime reached", quota: "quota", runner_lost: "runner lost",
  error: "error", wake: "woken by a request", fork: "fork", runner: "runner", retention: "retention",
  recovered: "recovered after its container was lost (processes lost, files kept)",
};
const DOT: Record<string, string> = {
  neutral: "bg-zinc-400", accent: "bg-indigo-500", green: "bg-emerald-500", amber: "bg-amber-500", red: "bg-red-500", blue: "bg-sky-500", violet: "bg-violet-500",
};

/** The cause as a person reads it; a fork names what it was forked from. */
export function causeText(e: Pick<SessionEvent, "cause" | "detail" | "actor">): string {
  if (e.cause === "api" && e.actor) return "asked"; // "asked by <who>": the person, not "the API"
  if (e.cause === "fork") {
    const from = e.detail.fromSession ?? e.detail.fromSnapshot;
    return typeof from === "string" ? `forked from ${from}` : "fork";
  }
  return CAUSE_TEXT[e.cause] ?? e.cause;
}

/** Detail keys the row already says in words. */
const SAID = new Set(["fromSession"]);

function detailText(detail: Record<string, unknown>): string | null {
  const parts = Object.entries(detail)
    .filter(([k]) => !SAID.has(k))
    .filter(([, v]) => v !== null && v !== undefined && v !== "")
    .map(([k, v]) => `${k}: ${typeof v === "string" || typeof v === "number" || typeof v === "boolean" ? v : JSON.stringify(v)}`);
  return parts.length ? parts.join(" · ") : null;
}

/** Every state change with its cause, newest first. */
export function SessionTimeline({ session, live }: { session: Session; live: boolean }) {
  const events = useSessionEvents(session.id, { live });
  const rows = [...(events.data?.data ?? [])].reverse();
  return (
    <Card aria-labelledby="timeline-title">
      <CardHeader id="timeline-title" title="State timeline" description="Each change and why it happened." />
      {events.isPending ? (
        <LoadingState label="Loading timeline…" />
      ) : events.isError ? (
        <ErrorState error={events.error} onRetry={() => events.refetch()} />
      ) : (
        <ol className="max-h-[28rem] overflow-y-auto px-4 py-3 sm:px-5" aria-label="State changes" tabIndex={0}>
          {rows.map((e: SessionEvent, i) => {
            const detail = detailText(e.detail);
            return (
              <li key={e.id} className="relative flex gap-3 pb-4 last:pb-0" data-testid="timeline-event">
                {i < rows.length - 1 && <span aria-hidden="true" className="absolute top-4 bottom-0 left-[5px] w-px bg-zinc-200" />}
                <span aria-hidden="true" className={`relative mt-1.5 h-[11px] w-[11px] shrink-0 rounded-full ring-2 ring-white ${DOT[STATE_TONES[e.toState as SessionState] ?? "neutral"]}`} />
                <div className="min-w-0 flex-1 text-sm">
                  <div className="flex flex-wrap items-center gap-1.5">
                    {e.fromState && <><span className="text-xs text-zinc-500">{e.fromState}</span><span className="text-xs text-zinc-500">→</span></>}
                    <SessionStateBadge state={e.toState as SessionState} testId="timeline-state" />
                    <Badge tone={CAUSE_TONES[e.cause] ?? "neutral"}>{causeText(e)}</Badge>
                    {e.actor && <span className="text-xs text-zinc-600" data-testid="timeline-actor">by {e.actor}</span>}
                  </div>
                  <div className="mt-0.5 text-xs text-zinc-500" title={formatDateTime(e.at)}>{formatRelative(e.at)} · {formatDateTime(e.at)}</div>
                  {detail && <div className="mt-0.5 font-mono text-[11px] break-all text-zinc-500">{detail}</div>}
                </div>
              </li>
            );
          })}
        </ol>
      )}
    </Card>
  );
}
