// Turns a bearer secret into the key and its tenant. This lookup is what decides the tenant, so it
// is the one key query that is not tenant-scoped. It is cached per process for a few seconds with
// every change honoured at once (api-key-cache.ts); lastUsedAt is written off the request path.
import { db } from "../db/client";
import { env } from "../env";
import { AppError } from "../api/errors";
import type { TenantSummary } from "../auth/context";
import { ApiKeyCache, type KeyRow } from "./api-key-cache";
import { hashKeySecret, looksLikeKeySecret } from "./secret";

// lastUsedAt is advisory; writing it on every request would turn each read into a write.
const LAST_USED_RESOLUTION_MS = 5 * 60 * 1000;

export type AuthenticatedKey = {
  id: string;
  tenantId: string;
  tenantSlug: string;
  tenant: TenantSummary;
  start: string;
  scopes: string[];
};

export async function loadApiKey(secretHash: string): Promise<KeyRow | null> {
  // One round trip: Prisma would fetch the tenant separately.
  const rows = await db().$queryRaw<KeyRow[]>`
    SELECT k.id, k.tenant_id AS "tenantId", k.start, k.scopes, k.expires_at AS "expiresAt",
           k.revoked_at AS "revokedAt", k.last_used_at AS "lastUsedAt", t.slug AS "tenantSlug",
           t.name AS "tenantName", t.created_at AS "tenantCreatedAt"
    FROM api_keys k JOIN tenants t ON t.id = k.tenant_id
    WHERE k.secret_hash = ${secretHash}`;
  return rows[0] ?? null;
}

const holder = globalThis as unknown as { burrowApiKeyCache?: ApiKeyCache };

/** The process's key cache (on globalThis: one LISTEN connection even across dev reloads). */
export function apiKeyCache(): ApiKeyCache {
  holder.burrowApiKeyCache ??= new ApiKeyCache({ ttlMs: env.API_KEY_CACHE_TTL_MS, load: loadApiKey, listen: true });
  return holder.burrowApiKeyCache;
}

/** Called by this process's own key changes once they are committed: the next request here sees them. */
export function forgetApiKeys(keyIds: readonly string[]): void {
  if (keyIds.length > 0) holder.burrowApiKeyCache?.forget({ keyIds });
}

/** The same for a change of the tenant the cached lookups carry (its name or slug). */
export function forgetTenantKeys(tenantId: string): void {
  holder.burrowApiKeyCache?.forget({ tenantIds: [tenantId] });
}

export async function authenticateApiKey(secret: string, now = new Date()): Promise<AuthenticatedKey> {
  const invalid = new AppError("unauthorized", "Invalid API key");
  if (!looksLikeKeySecret(secret)) throw invalid;
  const key = await apiKeyCache().get(hashKeySecret(secret));
  if (!key) throw invalid;
  if (key.revokedAt) throw new AppError("unauthorized", "This API key has been revoked");
  if (key.expiresAt && key.expiresAt <= now) throw new AppError("unauthorized", "This API key has expired");
  if (!key.lastUsedAt || now.getTime() - key.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) recordLastUse(key, now);
  const tenant = { id: key.tenantId, slug: key.tenantSlug, name: key.tenantName, createdAt: key.tenantCreatedAt };
  return { id: key.id, tenantId: key.tenantId, tenantSlug: key.tenantSlug, tenant, start: key.start, scopes: key.scopes };
}

/** Off the request path; the cached row remembers the write so that it goes out once per interval. */
function recordLastUse(key: KeyRow, now: Date): void {
  const previous = key.lastUsedAt;
  key.lastUsedAt = now;
  db().apiKey.update({ where: { id: key.id }, data: { lastUsedAt: now }, select: { id: true } }).catch((err: unknown) => {
    if (key.lastUsedAt === now) key.lastUsedAt = previous;
    console.error(`[api-keys] could not record the last use of ${key.id}: ${(err as Error).message}`);
  });
}
