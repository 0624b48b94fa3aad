// A key never does more than the person who created it may: when a member leaves or gets a role
// with fewer scopes, the keys they created that hold a scope beyond it are revoked in the same
// transaction (each with an audit row). Keys made by other people or by keys are untouched.
import type { TenantContext } from "../auth/context";
import type { TenantTx } from "../db/tenant-scope";
import { recordAuditEvent } from "../audit";

export async function revokeKeysBeyondScopes(ctx: TenantContext, tx: TenantTx, userId: string, scopes: readonly string[], why: string) {
  const keys = await tx.apiKey.findMany({ where: { createdById: userId, revokedAt: null } });
  const beyond = keys.filter((k) => k.scopes.some((s) => !scopes.includes(s)));
  if (beyond.length === 0) return [];
  await tx.apiKey.updateMany({ where: { id: { in: beyond.map((k) => k.id) } }, data: { revokedAt: new Date() } });
  for (const key of beyond) {
    await recordAuditEvent({ ...ctx, db: tx }, {
      action: "api_key.revoked", targetType: "api_key", targetId: key.id,
      metadata: { name: key.name, start: key.start, reason: why },
    });
  }
  return beyond.map((k) => k.id);
}
