// PATCH /api/v1/api-keys/{id}: the key's monthly spend limit (lib/billing enforces it on the
// sessions the key creates). A revoked key can still get one: its sessions may still be running.
import type { TenantContext } from "../auth/context";
import { inTransaction } from "../db/tenant-scope";
import { notFound } from "../api/errors";
import { recordAuditEvent } from "../audit";
import { toApiKey, type UpdateApiKeyInput } from "./schemas";

export async function updateApiKey({ ctx, input }: { ctx: TenantContext; input: { id: string } & UpdateApiKeyInput }) {
  return inTransaction(ctx.db, async (tx) => {
    const key = await tx.apiKey.findFirst({ where: { id: input.id } });
    if (!key) throw notFound("API key");
    const updated = await tx.apiKey.update({ where: { id: key.id }, data: { spendLimitCents: input.spendLimitCents } });
    await recordAuditEvent({ ...ctx, db: tx }, {
      action: "api_key.updated",
      targetType: "api_key",
      targetId: key.id,
      metadata: { name: key.name, spendLimitCents: { from: key.spendLimitCents, to: updated.spendLimitCents } },
    });
    return toApiKey(updated);
  });
}
