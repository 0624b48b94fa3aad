// The only writer of `state`: the runner that owns a session (and the scheduler for lost runners).
// Each transition updates the row only if it is still in the state we read (no lost updates),
// accounts lifetime, and appends the event billing and the timeline read.
import { db } from "../db/client";
import type { Prisma } from "../db/generated/client";
import { newId } from "../ids";
import { ASKED_CAUSES } from "./actor-label";
import { notifySessionChanged } from "./session-notice";
import { canTransition, LIFETIME_STATES, type SessionState, type TransitionCause } from "./state-machine";

export type TransitionableSession = { id: string; tenantId: string; state: SessionState; stateChangedAt: Date; lifetimeUsedSeconds: number };

export class StaleStateError extends Error {
  constructor(readonly sessionId: string, readonly expected: SessionState) {
    super(`session ${sessionId} is no longer ${expected}`);
  }
}

export async function recordTransition(
  session: TransitionableSession,
  to: SessionState,
  cause: TransitionCause,
  opts: { detail?: Record<string, unknown>; set?: Prisma.SessionUncheckedUpdateManyInput; now?: Date } = {},
): Promise<TransitionableSession> {
  if (!canTransition(session.state, to)) throw new Error(`illegal session transition ${session.state} -> ${to}`);
  const now = opts.now ?? new Date();
  const elapsed = LIFETIME_STATES.includes(session.state) ? Math.max(0, (now.getTime() - session.stateChangedAt.getTime()) / 1000) : 0;
  const lifetimeUsedSeconds = session.lifetimeUsedSeconds + elapsed;
  await db().$transaction(async (tx) => {
    const { count } = await tx.session.updateMany({
      where: { id: session.id, state: session.state },
      data: {
        ...opts.set,
        state: to,
        stateChangedAt: now,
        lifetimeUsedSeconds,
        ...(to === "terminated" ? { terminatedAt: now } : {}),
        ...(to === "failed" ? { failureReason: String(opts.detail?.reason ?? cause) } : {}),
        // The init's health is that of a container: one that is gone, or not yet started, has none.
        ...(to === "running" || to === "paused" ? {} : { initHealth: null }),
      },
    });
    if (count === 0) throw new StaleStateError(session.id, session.state);
    // Who asked, as the API recorded it with the desired state (the person who clicked, or the key).
    let actor: string | null = null;
    if (ASKED_CAUSES.includes(cause)) {
      const asked = await tx.session.findUnique({ where: { id: session.id }, select: { desiredCause: true, desiredBy: true } });
      actor = asked?.desiredCause === "api" ? asked.desiredBy : null;
    }
    await tx.sessionEvent.create({
      data: { id: newId("sev"), tenantId: session.tenantId, sessionId: session.id, fromState: session.state, toState: to, cause, actor, detail: (opts.detail ?? {}) as object, createdAt: now },
    });
    await notifySessionChanged(tx, session.tenantId, session.id);
  });
  return { ...session, state: to, stateChangedAt: now, lifetimeUsedSeconds };
}

/** Marks the session as used now (API calls, running execs, CPU use all count as activity). */
export async function touchSessionActivity(sessionId: string, now = new Date()): Promise<void> {
  await db().session.updateMany({ where: { id: sessionId }, data: { lastActivityAt: now } });
}
