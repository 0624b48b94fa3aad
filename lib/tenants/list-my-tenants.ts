import type { UserContext } from "../auth/context";
import type { Role } from "../auth/scopes";
import { db } from "../db/client";
import { toTenant } from "./schemas";

/** The tenants a person belongs to, for the tenant switcher. Keyed by user, so not tenant-scoped. */
export async function listMyTenants({ ctx }: { ctx: Pick<UserContext, "userId"> }) {
  const memberships = await db().membership.findMany({
    where: { userId: ctx.userId },
    include: { tenant: true },
    orderBy: { tenant: { name: "asc" } },
  });
  return { data: memberships.map((m) => ({ ...toTenant(m.tenant), role: m.role as Role })) };
}
