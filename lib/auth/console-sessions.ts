// Console sessions: Auth.js keeps the signed-in state in a JWT cookie, which alone cannot be taken
// back before it expires. Each sign-in therefore makes a row whose id rides in the JWT as `sid`,
// and every request that resolves a console caller (session-cookie.ts for the API, the jwt
// callback in next-auth.ts for pages) asks isConsoleSessionLive. No cache in front of it: the
// check is one primary-key read, like the membership read each tenant request already does, and
// without one a sign-out or revoke is refused at once by every web process.
import { AppError } from "../api/errors";
import { db } from "../db/client";
import { newId } from "../ids";
import type { UserContext } from "./context";
import type { ConsoleSession } from "./console-session-schemas";

/** As long as the JWT lives (next-auth.ts); older rows can no longer be used and are dropped. */
export const CONSOLE_SESSION_MAX_AGE_SECONDS = 30 * 24 * 60 * 60;
/** lastSeenAt is written at most this often, so a busy page does not write on every request. */
const LAST_SEEN_EVERY_MS = 60_000;
const USER_AGENT_MAX = 300;

export async function startConsoleSession(input: { userId: string; userAgent: string | null; ip: string | null }): Promise<string> {
  const id = newId("cse");
  const expired = new Date(Date.now() - CONSOLE_SESSION_MAX_AGE_SECONDS * 1000);
  await db().$transaction([
    db().consoleSession.deleteMany({ where: { userId: input.userId, lastSeenAt: { lt: expired } } }),
    db().consoleSession.create({ data: { id, userId: input.userId, userAgent: input.userAgent?.slice(0, USER_AGENT_MAX) ?? null, ip: input.ip } }),
  ]);
  return id;
}

/** Whether the session `sid` of this user may still be used; notes that it was seen. */
export async function isConsoleSessionLive(sid: unknown, userId: string): Promise<boolean> {
  if (typeof sid !== "string" || !sid) return false;
  const row = await db().consoleSession.findUnique({ where: { id: sid }, select: { userId: true, revokedAt: true, lastSeenAt: true } });
  if (!row || row.userId !== userId || row.revokedAt) return false;
  const now = Date.now();
  if (now - row.lastSeenAt.getTime() > CONSOLE_SESSION_MAX_AGE_SECONDS * 1000) return false;
  if (now - row.lastSeenAt.getTime() > LAST_SEEN_EVERY_MS) {
    await db().consoleSession.updateMany({ where: { id: sid, revokedAt: null }, data: { lastSeenAt: new Date(now) } });
  }
  return true;
}

/** Sign-out: the cookie's session ends on the server, not only in the browser. */
export async function endConsoleSession(sid: unknown): Promise<void> {
  if (typeof sid !== "string" || !sid) return;
  await db().consoleSession.updateMany({ where: { id: sid, revokedAt: null }, data: { revokedAt: new Date() } });
}

/** The signed-in person's live console sessions, most recently used first. */
export async function listConsoleSessions({ ctx }: { ctx: UserContext }): Promise<{ data: ConsoleSession[] }> {
  const since = new Date(Date.now() - CONSOLE_SESSION_MAX_AGE_SECONDS * 1000);
  const rows = await db().consoleSession.findMany({
    where: { userId: ctx.userId, revokedAt: null, lastSeenAt: { gte: since } },
    orderBy: { lastSeenAt: "desc" },
    take: 100,
  });
  return {
    data: rows.map((r) => ({
      id: r.id, createdAt: r.createdAt.toISOString(), lastSeenAt: r.lastSeenAt.toISOString(), userAgent: r.userAgent, ip: r.ip,
      current: r.id === ctx.consoleSessionId,
    })),
  };
}

/** Revokes one of the caller's own sessions (again is fine); another person's id is simply not found. */
export async function revokeConsoleSession({ ctx, id }: { ctx: UserContext; id: string }): Promise<void> {
  const row = await db().consoleSession.findFirst({ where: { id, userId: ctx.userId }, select: { id: true } });
  if (!row) throw new AppError("not_found", "Console session not found");
  await endConsoleSession(row.id);
}
