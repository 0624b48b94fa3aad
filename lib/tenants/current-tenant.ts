// The caller's own tenant: read by `GET /me` and the settings page, renamed and configured by admins.
import type { TenantContext } from "../auth/context";
import { recordAuditEvent } from "../audit";
import { Prisma } from "../db/generated/client";
import { db } from "../db/client";
import { forgetTenantKeys } from "../keys";
import type { TenantTx } from "../db/tenant-scope";
import { toTenant, toTenantSettings, type UpdateTenantInput } from "./schemas";

// The Tenant row is keyed by ctx.tenantId itself, which is the scope.
export async function getCurrentTenant({ ctx }: { ctx: TenantContext }) {
  return toTenantSettings(await db().tenant.findUniqueOrThrow({ where: { id: ctx.tenantId } }));
}

/** An API key's request answers from the tenant its (cached) lookup found, without a query. */
export async function getMe({ ctx }: { ctx: TenantContext }) {
  const tenant = toTenant(ctx.tenant ?? await db().tenant.findUniqueOrThrow({ where: { id: ctx.tenantId } }));
  return { tenant, actor: ctx.actor, role: ctx.role, scopes: [...ctx.scopes] };
}

const SETTINGS = ["name", "logRetentionDays", "spanRetentionDays"] as const;

/** Renames the tenant and/or changes its retention; the audit row names each changed setting. */
export async function updateTenant({ ctx, input }: { ctx: TenantContext; input: UpdateTenantInput }) {
  const updated = await db().$transaction(async (tx) => {
    const before = await tx.tenant.findUniqueOrThrow({ where: { id: ctx.tenantId } });
    const { network, ...rest } = input;
    const data = { ...rest, ...(network !== undefined ? { defaultNetwork: network === "none" ? Prisma.DbNull : network } : {}) };
    const tenant = await tx.tenant.update({ where: { id: ctx.tenantId }, data });
    const changes: Record<string, { from: unknown; to: unknown }> = Object.fromEntries(
      SETTINGS.filter((k) => input[k] !== undefined && before[k] !== tenant[k]).map((k) => [k, { from: before[k], to: tenant[k] }]),
    );
    if (network !== undefined && JSON.stringify(before.defaultNetwork ?? "none") !== JSON.stringify(network)) {
      changes.network = { from: before.defaultNetwork ?? "none", to: network };
    }
    if (Object.keys(changes).length > 0) {
      await recordAuditEvent({ ...ctx, db: tx as unknown as TenantTx }, { action: "tenant.updated", targetType: "tenant", targetId: ctx.tenantId, metadata: changes });
    }
    return toTenantSettings(tenant);
  });
  // Committed: this process's cached key lookups carry the old name (other processes: the NOTIFY).
  forgetTenantKeys(ctx.tenantId);
  return updated;
}
