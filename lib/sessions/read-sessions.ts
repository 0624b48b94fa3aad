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

export async function listSessionEvents({ ctx, input }: { ctx: TenantContext; input: { id: string } }) {
  await getSessionRowOrThrow(ctx.db, input.id);
  const events = await ctx.db.sessionEvent.findMany({ where: { sessionId: input.id }, orderBy: { id: "asc" }, take: 1000 });
  return {
    data: events.map((e) => ({
      id: e.id, fromState: e.fromState, toState: e.toState, cause: e.cause, detail: e.detail as Record<string, unknown>, at: e.createdAt.toISOString(),
    })),
  };
}
