// Who may manage which API keys. The admin scope manages every key of the tenant. A signed-in person
// without it (a member or a viewer) manages only the keys they created, and each holds at most the
// scopes of their role (createApiKey checks that). An API key without admin manages none: a leaked
// key must not be able to mint more keys that outlive its own revocation.
import { AppError } from "../api/errors";
import type { TenantContext } from "../auth/context";

export function canManageAllKeys(ctx: Pick<TenantContext, "scopes">): boolean {
  return ctx.scopes.includes("admin");
}

/** The `where` that limits a key query to the keys the caller may see and change. */
export function manageableKeysWhere(ctx: Pick<TenantContext, "scopes" | "actor">): { createdById?: string } {
  if (canManageAllKeys(ctx)) return {};
  if (ctx.actor.type !== "user") {
    throw new AppError("forbidden", "Managing API keys with an API key needs the scope: admin", { details: { requiredScopes: ["admin"] } });
  }
  return { createdById: ctx.actor.id };
}
