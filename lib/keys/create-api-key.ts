import type { TenantContext } from "../auth/context";
import { inTransaction } from "../db/tenant-scope";
import { AppError } from "../api/errors";
import { recordAuditEvent } from "../audit";
import { newId } from "../ids";
import { manageableKeysWhere } from "./key-access";
import { type CreateApiKeyInput, toApiKey } from "./schemas";
import { generateKeySecret, hashKeySecret, keyStart } from "./secret";

export async function createApiKey({ ctx, input }: { ctx: TenantContext; input: CreateApiKeyInput }) {
  manageableKeysWhere(ctx);
  // A caller cannot mint a key more powerful than itself: a member's key holds at most a member's scopes.
  const beyond = input.scopes.filter((s) => !ctx.scopes.includes(s));
  if (beyond.length) {
    const who = ctx.role ? `Your role (${ctx.role})` : "This key";
    throw new AppError("forbidden", `${who} cannot grant the scope(s): ${beyond.join(", ")}. A key may hold only scopes you have: ${ctx.scopes.join(", ")}`, {
      details: { scopes: beyond, allowedScopes: [...ctx.scopes] },
    });
  }
  const expiresAt = input.expiresAt ? new Date(input.expiresAt) : null;
  if (expiresAt && expiresAt <= new Date()) {
    throw new AppError("invalid_request", "expiresAt must be in the future", { details: { fields: [{ path: "body.expiresAt", message: "must be in the future" }] } });
  }
  const secret = generateKeySecret();
  const row = await inTransaction(ctx.db, async (tx) => {
    const key = await tx.apiKey.create({
      data: {
        id: newId("key"),
        tenantId: ctx.tenantId,
        name: input.name,
        start: keyStart(secret),
        secretHash: hashKeySecret(secret),
        scopes: input.scopes,
        expiresAt,
        createdById: ctx.actor.type === "user" ? ctx.actor.id : null,
      },
    });
    await recordAuditEvent({ ...ctx, db: tx }, {
      action: "api_key.created",
      targetType: "api_key",
      targetId: key.id,
      metadata: { name: key.name, scopes: key.scopes, start: key.start },
    });
    return key;
  });
  return { ...toApiKey(row), secret };
}
