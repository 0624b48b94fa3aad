import { notFound } from "../api/errors";
import type { TenantContext } from "../auth/context";
import type { TenantTx } from "../db/tenant-scope";
import { toSession } from "./schemas";

export async function getSessionRowOrThrow(db: TenantContext["db"] | TenantTx, id: string) {
  const session = await db.session.findFirst({ where: { id } });
  if (!session) throw notFound("Session");
  return session;
}

export async function getSession({ ctx, input }: { ctx: TenantContext; input: { id: string } }) {
  return toSession(await getSessionRowOrThrow(ctx.db, input.id));
}

type SessionEventRow = { id: string; fromState: string | null; toState: string; cause: string; actor: string | null; detail: unknown; createdAt: Date };

export function toSessionEvent(e: SessionEventRow) {
  return { id: e.id, fromState: e.fromState, toState: e.toState, cause: e.cause, actor: e.actor, detail: e.detail as Record<string, unknown>, at: e.createdAt.toISOString() };
}

/** The session's transitions after `afterId` (ids sort by time), oldest first. */
export async function readSessionEventRows(db: TenantContext["db"] | TenantTx, sessionId: string, afterId?: string) {
  return db.sessionEvent.findMany({ where: { sessionId, ...(afterId ? { id: { gt: afterId } } : {}) }, orderBy: { id: "asc" }, take: 1000 });
}

export async function listSessionEvents({ ctx, input }: { ctx: TenantContext; input: { id: string } }) {
  await getSessionRowOrThrow(ctx.db, input.id);
  return { data: (await readSessionEventRows(ctx.db, input.id)).map(toSessionEvent) };
}
