// The raw-`pg` baseline for API-key authentication: what lib/keys/authenticate-api-key.ts does
// per request, without Prisma or Next.js: check the secret's shape, SHA-256 it, and select the
// key by its unique secret_hash joined to its tenant, then check revocation and expiry.
import pg from "pg";
import { hashKeySecret, looksLikeKeySecret } from "../../lib/keys/secret";

export const KEY_LOOKUP_SQL = `SELECT k.id, k.tenant_id, k.start, k.scopes, k.expires_at, k.revoked_at, k.last_used_at, t.slug AS tenant_slug
FROM api_keys k JOIN tenants t ON t.id = k.tenant_id
WHERE k.secret_hash = $1`;

type KeyRow = {
  id: string;
  tenant_id: string;
  start: string;
  scopes: string[];
  expires_at: Date | null;
  revoked_at: Date | null;
  last_used_at: Date | null;
  tenant_slug: string;
};

export type KeyLookup = {
  /** Resolves with the tenant slug; rejects when the key is unknown, revoked or expired. */
  lookup(secret: string): Promise<string>;
  /** Opens every pool connection up front, so connection set-up is not measured. */
  warm(): Promise<void>;
  close(): Promise<void>;
};

export function createKeyLookup(databaseUrl: string, poolSize: number): KeyLookup {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: poolSize,
    connectionTimeoutMillis: 3000,
    idleTimeoutMillis: 30_000,
    query_timeout: 10_000,
  });
  pool.on("error", () => {
    /* idle client errors surface as failed queries */
  });
  return {
    async lookup(secret) {
      if (!looksLikeKeySecret(secret)) throw new Error("malformed key");
      const { rows } = await pool.query<KeyRow>(KEY_LOOKUP_SQL, [hashKeySecret(secret)]);
      const key = rows[0];
      if (!key) throw new Error("unknown key");
      if (key.revoked_at) throw new Error("revoked key");
      if (key.expires_at && key.expires_at <= new Date()) throw new Error("expired key");
      return key.tenant_slug;
    },
    async warm() {
      const clients = await Promise.all(Array.from({ length: poolSize }, () => pool.connect()));
      for (const c of clients) c.release();
    },
    close: () => pool.end(),
  };
}
