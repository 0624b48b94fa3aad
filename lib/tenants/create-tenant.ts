// Creating a tenant writes its first rows (the tenant and its owner), so it cannot go through a
// tenant-scoped handle that does not exist yet; it uses one transaction on the root client.
import { AppError, isUniqueViolation } from "../api/errors";
import type { UserContext } from "../auth/context";
import { recordAuditEvent } from "../audit";
import { db } from "../db/client";
import type { TenantTx } from "../db/tenant-scope";
import { newId } from "../ids";
import type { Prisma } from "../db/generated/client";
import { toTenant } from "./schemas";

export async function createTenantForUser(
  tx: Prisma.TransactionClient,
  user: { userId: string; email: string; ip: string | null },
  input: { name: string; slug: string },
) {
  const tenant = await tx.tenant.create({ data: { id: newId("ten"), slug: input.slug, name: input.name } });
  await tx.membership.create({ data: { id: newId("mem"), tenantId: tenant.id, userId: user.userId, role: "owner" } });
  await recordAuditEvent(
    { tenantId: tenant.id, actor: { type: "user", id: user.userId, label: user.email }, ip: user.ip, db: tx as unknown as TenantTx },
    { action: "tenant.created", targetType: "tenant", targetId: tenant.id, metadata: { slug: tenant.slug } },
  );
  return tenant;
}

export async function createTenant({ ctx, input }: { ctx: UserContext; input: { name: string; slug: string } }) {
  try {
    const tenant = await db().$transaction((tx) => createTenantForUser(tx, ctx, input));
    return { ...toTenant(tenant), role: "owner" as const };
  } catch (err) {
    throw slugTakenOr(err, input.slug);
  }
}

/** `field` names the slug in the caller's body, so the error points at the right input. */
export function slugTakenOr(err: unknown, slug: string, field = "body.slug"): unknown {
  return isUniqueViolation(err)
    ? new AppError("conflict", `The tenant slug '${slug}' is taken`, { details: { fields: [{ path: field, message: "taken" }] } })
    : err;
}
