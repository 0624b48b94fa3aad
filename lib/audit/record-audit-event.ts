// Audit rows are written with the same transaction handle as the change they describe, so a change
// and its record commit or roll back together.
import type { TenantContext } from "../auth/context";
import { newId } from "../ids";
import type { AuditAction } from "./actions";

export async function recordAuditEvent(
  ctx: Pick<TenantContext, "tenantId" | "actor" | "ip" | "db">,
  event: { action: AuditAction; targetType?: string; targetId?: string; metadata?: Record<string, unknown> },
): Promise<void> {
  await ctx.db.auditEvent.create({
    data: {
      id: newId("aud"),
      tenantId: ctx.tenantId,
      actorType: ctx.actor.type,
      actorId: ctx.actor.id,
      actorLabel: ctx.actor.label,
      action: event.action,
      targetType: event.targetType ?? null,
      targetId: event.targetId ?? null,
      ip: ctx.ip,
      metadata: (event.metadata ?? {}) as object,
    },
  });
}
