import { z } from "zod";
import type { TenantContext } from "../auth/context";
import { pageArgs, pageQuerySchema, pageSchema, toPage } from "../api/pagination";
import { AUDIT_ACTIONS } from "./actions";

export const auditEventSchema = z.object({
  id: z.string(),
  action: z.string(),
  actor: z.object({ type: z.enum(["user", "key", "system"]), id: z.string().nullable(), label: z.string() }),
  target: z.object({ type: z.string(), id: z.string() }).nullable(),
  ip: z.string().nullable(),
  metadata: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
});

export const listAuditEventsQuerySchema = pageQuerySchema.extend({
  action: z.enum(AUDIT_ACTIONS).optional(),
}).strict();
export const auditEventPageSchema = pageSchema(auditEventSchema);

export async function listAuditEvents({ ctx, input }: { ctx: TenantContext; input: z.infer<typeof listAuditEventsQuerySchema> }) {
  const args = pageArgs(input);
  const rows = await ctx.db.auditEvent.findMany({
    ...args,
    where: { ...args.where, ...(input.action ? { action: input.action } : {}) },
  });
  return toPage(rows, input, (row) => ({
    id: row.id,
    action: row.action,
    actor: { type: row.actorType as "user" | "key" | "system", id: row.actorId, label: row.actorLabel },
    target: row.targetType && row.targetId ? { type: row.targetType, id: row.targetId } : null,
    ip: row.ip,
    metadata: row.metadata as Record<string, unknown>,
    createdAt: row.createdAt.toISOString(),
  }));
}
