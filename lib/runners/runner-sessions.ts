import { AppError } from "../api/errors";
import { db } from "../db/client";

/**
 * A session this runner owns, in one of `states` (the runner's own view, across tenants). Not here
 * is 404 and another state 409: AppError's status follows its code, which the internal server sends.
 */
export async function runningSessionOnRunner(sessionId: string, runnerId: string, states = ["running", "paused"]) {
  const session = await db().session.findUnique({ where: { id: sessionId } });
  if (!session || session.runnerId !== runnerId) throw new AppError("not_found", "Session not on this runner");
  if (!states.includes(session.state)) {
    throw new AppError("conflict", `Session is ${session.state}`, { details: { state: session.state } });
  }
  return session;
}

/** A session's state whichever runner holds it (null: no such session), for the orphan sweep. */
export async function sessionStateOf(sessionId: string): Promise<string | null> {
  const session = await db().session.findUnique({ where: { id: sessionId }, select: { state: true } });
  return session?.state ?? null;
}
