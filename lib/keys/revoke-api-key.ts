import type { TenantContext } from "../auth/context";
import { inTransaction } from "../db/tenant-scope";
import { notFound } from "../api/errors";
import { recordAuditEvent } from "../audit";
import { forgetApiKeys } from "./authenticate-api-key";
import { manageableKeysWhere } from "./key-access";
import { toApiKey } from "./schemas";

/** Revoking is final and takes effect on the next request. Revoking twice answers the same key. */
export async function revokeApiKey({ ctx, input }: { ctx: TenantContext; input: { id: string } }) {
  const key = await inTransaction(ctx.db, async (tx) => {
    // Someone else's key, for a caller who may manage only their own, is simply not found.
    const key = await tx.apiKey.findFirst({ where: { id: input.id, ...manageableKeysWhere(ctx) } });
    if (!key) throw notFound("API key");
    if (key.revokedAt) return toApiKey(key);
    const revoked = await tx.apiKey.update({ where: { id: key.id }, data: { revokedAt: new Date() } });
    await recordAuditEvent({ ...ctx, db: tx }, {
      action: "api_key.revoked",
      targetType: "api_key",
      targetId: key.id,
      metadata: { name: key.name, start: key.start },
    });
    return toApiKey(revoked);
  });
  // Committed: this process's next request with the key is refused (other processes: the NOTIFY).
  forgetApiKeys([key.id]);
  return key;
}
