// Turns a bearer secret into the key and its tenant. This lookup is what decides the tenant, so it
// is the one key query that is not tenant-scoped.
import { db } from "../db/client";
import { AppError } from "../api/errors";
import { hashKeySecret, looksLikeKeySecret } from "./secret";

// lastUsedAt is advisory; writing it on every request would turn each read into a write.
const LAST_USED_RESOLUTION_MS = 5 * 60 * 1000;

type KeyRow = {
  id: string; tenantId: string; tenantSlug: string; start: string; scopes: string[];
  expiresAt: Date | null; revokedAt: Date | null; lastUsedAt: Date | null;
};

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
  // One round trip on the hot path of every API request: Prisma would fetch the tenant separately.
  const rows = await db().$queryRaw<KeyRow[]>`
    SELECT k.id, k.tenant_id AS "tenantId", k.start, k.scopes, k.expires_at AS "expiresAt",
           k.revoked_at AS "revokedAt", k.last_used_at AS "lastUsedAt", t.slug AS "tenantSlug"
    FROM api_keys k JOIN tenants t ON t.id = k.tenant_id
    WHERE k.secret_hash = ${hashKeySecret(secret)}`;
  const key = rows[0];
  if (!key) throw invalid;
  if (key.revokedAt) throw new AppError("unauthorized", "This API key has been revoked");
  if (key.expiresAt && key.expiresAt <= now) throw new AppError("unauthorized", "This API key has expired");
  if (!key.lastUsedAt || now.getTime() - key.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
    await db().apiKey.update({ where: { id: key.id }, data: { lastUsedAt: now } });
  }
  return { id: key.id, tenantId: key.tenantId, tenantSlug: key.tenantSlug, start: key.start, scopes: key.scopes };
}
