// Preview tokens: a random secret (bpt_ + 32 bytes) that opens a session's preview URLs until it
// expires. Only its SHA-256 is stored; the secret is shown once.
import { createHash, randomBytes } from "node:crypto";
import type { TenantContext } from "../auth/context";
import { recordAuditEvent } from "../audit";
import { inTransaction } from "../db/tenant-scope";
import { newId } from "../ids";
import { getSessionRowOrThrow } from "../sessions/read-sessions";
import { AppError } from "../api/errors";

export const PREVIEW_TOKEN_PREFIX = "bpt_";

export const hashPreviewToken = (token: string) => createHash("sha256").update(token).digest("hex");

export async function createPreviewToken({ ctx, input }: { ctx: TenantContext; input: { sessionId: string; expiresInSeconds: number } }) {
  const token = `${PREVIEW_TOKEN_PREFIX}${randomBytes(32).toString("base64url")}`;
  const row = await inTransaction(ctx.db, async (tx) => {
    const session = await getSessionRowOrThrow(tx, input.sessionId);
    if (session.state === "terminated" || session.state === "failed" || session.desiredState === "terminated") {
      throw new AppError("conflict", `The session is ${session.state}`, { details: { state: session.state } });
    }
    const created = await tx.previewToken.create({
      data: {
        id: newId("pvt"), tenantId: ctx.tenantId, sessionId: session.id, tokenHash: hashPreviewToken(token),
        expiresAt: new Date(Date.now() + input.expiresInSeconds * 1000), createdBy: ctx.actor.label,
      },
    });
    await recordAuditEvent({ ...ctx, db: tx }, {
      action: "session.preview_token_created", targetType: "session", targetId: session.id, metadata: { tokenId: created.id, expiresAt: created.expiresAt.toISOString() },
    });
    return created;
  });
  return { id: row.id, sessionId: row.sessionId, token, expiresAt: row.expiresAt.toISOString(), createdAt: row.createdAt.toISOString() };
}
