// The per-process API key cache (lib/keys/api-key-cache.ts) against the real database: a change
// made here is refused on the very next request; a change made elsewhere (SQL, another process)
// arrives by the api_keys trigger's NOTIFY long before the TTL; without notices the TTL bounds it.
import { afterAll, describe, expect, it } from "vitest";
import * as keyRoute from "@/app/api/v1/api-keys/[id]/route";
import * as meRoute from "@/app/api/v1/me/route";
import * as tenantRoute from "@/app/api/v1/tenant/route";
import { db } from "@/lib/db/client";
import { ApiKeyCache } from "@/lib/keys/api-key-cache";
import { apiKeyCache, authenticateApiKey, loadApiKey } from "@/lib/keys/authenticate-api-key";
import { hashKeySecret } from "@/lib/keys/secret";
import { call, createKey, createTestTenant } from "./helpers";
import { waitFor } from "./wait-for";

const me = (key: string) => call(meRoute.GET, { path: "/api/v1/me", key });
const caches: ApiKeyCache[] = [];
/** A cache of its own with a TTL far beyond the test, so that only a notice can change its answer. */
function listeningCache(ttlMs = 60_000) {
  const cache = new ApiKeyCache({ ttlMs, load: loadApiKey, listen: true });
  caches.push(cache);
  return cache;
}
let markers = 0;
/** Sends a notice and waits for this cache to get it: every notice sent before it has arrived too. */
async function marker(cache: ApiKeyCache) {
  const payload = `key:key_marker_${++markers}`;
  await db().$executeRaw`SELECT pg_notify('burrow_api_keys', ${payload})`;
  await waitFor(() => cache.stats.lastNotice === payload, { what: `notice ${payload}`, timeoutMs: 3000 });
}
/** Waits until the cache's LISTEN connection is up (its first connect empties the cache) and quiet. */
async function listening(cache: ApiKeyCache) {
  await cache.get("no such hash");
  const before = cache.stats.notices;
  await waitFor(async () => {
    await db().$executeRaw`SELECT pg_notify('burrow_api_keys', 'key:key_probe')`;
    return cache.stats.notices > before;
  }, { what: "the cache's LISTEN connection" });
  await marker(cache);
}
afterAll(async () => {
  await Promise.all(caches.map((c) => c.stop()));
});

describe("API key cache", () => {
  it("answers repeated requests from the cache and refuses a key revoked here on the very next request", async () => {
    const t = await createTestTenant();
    const key = await createKey(t.id, ["sessions:read"]);
    await listening(apiKeyCache());
    expect((await me(key.secret)).status).toBe(200);
    const hits = apiKeyCache().stats.hits;
    expect((await me(key.secret)).status).toBe(200);
    expect(apiKeyCache().stats.hits).toBe(hits + 1);

    const revoked = await call(keyRoute.DELETE, { method: "DELETE", path: `/api/v1/api-keys/${key.id}`, key: t.key, params: { id: key.id } });
    expect(revoked.status).toBe(200);
    const after = await me(key.secret);
    expect(after.status).toBe(401);
    expect(after.body.error.message).toMatch(/revoked/);
  });

  it("answers GET /me from the cached tenant and shows a rename made here on the very next request", async () => {
    const t = await createTestTenant();
    await listening(apiKeyCache());
    expect((await me(t.key)).body.tenant).toMatchObject({ id: t.id, slug: t.slug, name: `Tenant ${t.slug}` });
    const renamed = await call(tenantRoute.PATCH, { method: "PATCH", path: "/api/v1/tenant", key: t.key, body: { name: "Renamed" } });
    expect(renamed.status).toBe(200);
    expect((await me(t.key)).body.tenant.name).toBe("Renamed");
    // Renamed elsewhere (SQL): the tenants trigger's notice drops the cached lookups of its keys.
    const cache = listeningCache();
    await listening(cache);
    const hash = hashKeySecret(t.key);
    expect((await cache.get(hash))?.tenantName).toBe("Renamed");
    await db().tenant.update({ where: { id: t.id }, data: { name: "Renamed again" } });
    await waitFor(async () => (await cache.get(hash))?.tenantName === "Renamed again", { what: "the rename to arrive", timeoutMs: 3000 });
  });

  it("refuses a cached key the moment it expires", async () => {
    const t = await createTestTenant();
    const key = await createKey(t.id, ["sessions:read"], { expiresAt: new Date(Date.now() + 60_000).toISOString() });
    await listening(apiKeyCache());
    await authenticateApiKey(key.secret);
    const hits = apiKeyCache().stats.hits;
    await expect(authenticateApiKey(key.secret, new Date(Date.now() + 61_000))).rejects.toThrow(/expired/);
    expect(apiKeyCache().stats.hits).toBe(hits + 1);
  });

  it("honours a revocation, a scope change, an expiry and a delete made outside this process through the NOTIFY, before the TTL", async () => {
    const t = await createTestTenant();
    const cache = listeningCache();
    const key = await createKey(t.id, ["sessions:read", "sessions:write"]);
    const hash = hashKeySecret(key.secret);
    await listening(cache);
    await cache.get(hash);

    await db().apiKey.update({ where: { id: key.id }, data: { scopes: ["sessions:read"] } });
    await waitFor(async () => (await cache.get(hash))?.scopes.length === 1, { what: "the scope change to arrive", timeoutMs: 3000 });

    const future = new Date(Date.now() - 1000);
    await db().apiKey.update({ where: { id: key.id }, data: { expiresAt: future } });
    await waitFor(async () => (await cache.get(hash))?.expiresAt?.getTime() === future.getTime(), { what: "the expiry to arrive", timeoutMs: 3000 });

    await db().apiKey.update({ where: { id: key.id }, data: { revokedAt: new Date() } });
    await waitFor(async () => (await cache.get(hash))?.revokedAt, { what: "the revocation to arrive", timeoutMs: 3000 });

    await db().apiKey.delete({ where: { id: key.id } });
    await waitFor(async () => (await cache.get(hash)) === null, { what: "the delete to arrive", timeoutMs: 3000 });
  });

  it("says nothing when only lastUsedAt changes", async () => {
    const t = await createTestTenant();
    const cache = listeningCache();
    await listening(cache);
    const before = cache.stats.notices;
    await db().apiKey.update({ where: { id: t.keyId }, data: { lastUsedAt: new Date() } });
    await marker(cache);
    expect(cache.stats.notices).toBe(before + 1);
  });

  it("falls back to its TTL when no notice arrives", async () => {
    const t = await createTestTenant();
    const ttlMs = 1000;
    const cache = new ApiKeyCache({ ttlMs, load: loadApiKey, listen: false });
    const key = await createKey(t.id, ["sessions:read"]);
    const hash = hashKeySecret(key.secret);
    const cachedAt = Date.now();
    expect((await cache.get(hash))?.revokedAt).toBeNull();
    await db().apiKey.update({ where: { id: key.id }, data: { revokedAt: new Date() } });
    // Within the TTL the stale row is still answered (nothing told this cache); past it, never.
    const stale = await cache.get(hash);
    if (Date.now() - cachedAt < ttlMs) expect(stale?.revokedAt).toBeNull();
    const seen = await waitFor(async () => (await cache.get(hash))?.revokedAt, { what: "the TTL to expire", timeoutMs: 3000, intervalMs: 20 });
    expect(seen).toBeInstanceOf(Date);
    expect(Date.now() - cachedAt).toBeLessThan(ttlMs + 500);
  });

  it("writes lastUsedAt off the request path, once per interval", async () => {
    const t = await createTestTenant();
    const key = await createKey(t.id, ["sessions:read"]);
    expect((await me(key.secret)).status).toBe(200);
    const first = await waitFor(async () => (await db().apiKey.findUniqueOrThrow({ where: { id: key.id } })).lastUsedAt, { what: "lastUsedAt to be written" });
    expect((await me(key.secret)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 100));
    expect((await db().apiKey.findUniqueOrThrow({ where: { id: key.id } })).lastUsedAt).toEqual(first);
  });
});
