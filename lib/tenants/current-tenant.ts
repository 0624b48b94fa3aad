// The caller's own tenant: read by `GET /me` and the settings page, renamed by admins.
import type { TenantContext } from "../auth/context";
import { recordAuditEvent } from "../audit";
import { db } from "../db/client";
import type { TenantTx } from "../db/tenant-scope";
import { toTenant } from "./schemas";

// The Tenant row is keyed by ctx.tenantId itself, which is the scope.
export async function getCurrentTenant({ ctx }: { ctx: TenantContext }) {
  return toTenant(await db().tenant.findUniqueOrThrow({ where: { id: ctx.tenantId } }));
}

export async function getMe({ ctx }: { ctx: TenantContext }) {
  return { tenant: await getCurrentTenant({ ctx }), actor: ctx.actor, role: ctx.role, scopes: [...ctx.scopes] };
}

export async function renameTenant({ ctx, input }: { ctx: TenantContext; input: { name: string } }) {
  return db().$transaction(async (tx) => {
    const before = await tx.tenant.findUniqueOrThrow({ where: { id: ctx.tenantId } });
    const tenant = await tx.tenant.update({ where: { id: ctx.tenantId }, data: { name: input.name } });
    await recordAuditEvent({ ...ctx, db: tx as unknown as TenantTx }, {
      action: "tenant.updated", targetType: "tenant", targetId: ctx.tenantId, metadata: { name: { from: before.name, to: tenant.name } },
    });
    return toTenant(tenant);
  });
}
