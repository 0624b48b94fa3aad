// Turns a bearer secret into the key and its tenant. This lookup is what decides the tenant, so it
// is the one key query that is not tenant-scoped.
import { db } from "../db/client";
import { AppError } from "../api/errors";
import { hashKeySecret, looksLikeKeySecret } from "./secret";

// lastUsedAt is advisory; writing it on every request would turn each read into a write.
const LAST_USED_RESOLUTION_MS = 5 * 60 * 1000;

export type AuthenticatedKey = {
  id: string;
  tenantId: string;
  tenantSlug: string;
  start: string;
  scopes: string[];
};

export async function authenticateApiKey(secret: string, now = new Date()): Promise<AuthenticatedKey> {
  const invalid = new AppError("unauthorized", "Invalid API key");
  if (!looksLikeKeySecret(secret)) throw invalid;
  const key = await db().apiKey.findUnique({
    where: { secretHash: hashKeySecret(secret) },
    select: { id: true, tenantId: true, start: true, scopes: true, expiresAt: true, revokedAt: true, lastUsedAt: true, tenant: { select: { slug: true } } },
  });
  if (!key) throw invalid;
  if (key.revokedAt) throw new AppError("unauthorized", "This API key has been revoked");
  if (key.expiresAt && key.expiresAt <= now) throw new AppError("unauthorized", "This API key has expired");
  if (!key.lastUsedAt || now.getTime() - key.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
    await db().apiKey.update({ where: { id: key.id }, data: { lastUsedAt: now } });
  }
  return { id: key.id, tenantId: key.tenantId, tenantSlug: key.tenant.slug, start: key.start, scopes: key.scopes };
}
