import { describe, expect, it } from "vitest";
import * as keysRoute from "@/app/api/v1/api-keys/route";
import * as keyRoute from "@/app/api/v1/api-keys/[id]/route";
import * as meRoute from "@/app/api/v1/me/route";
import { db } from "@/lib/db/client";
import { call, createKey, createTestTenant, sessionCookie } from "./helpers";
import { waitFor } from "./wait-for";

describe("API keys", () => {
  it("creates a key shown once, stores only its hash, lists and revokes it", async () => {
    const t = await createTestTenant();
    const created = await call(keysRoute.POST, { method: "POST", path: "/api/v1/api-keys", key: t.key, body: { name: "ci", scopes: ["sessions:read"] } });
    expect(created.status).toBe(201);
    expect(created.body.secret).toMatch(/^bur_[0-9A-Za-z]{43}$/);
    expect(created.body.start).toBe(created.body.secret.slice(0, 10));
    const row = await db().apiKey.findUniqueOrThrow({ where: { id: created.body.id } });
    expect(JSON.stringify(row)).not.toContain(created.body.secret);

    const me = await call(meRoute.GET, { path: "/api/v1/me", key: created.body.secret });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ tenant: { slug: t.slug }, scopes: ["sessions:read"], actor: { type: "key", id: created.body.id } });

    const list = await call(keysRoute.GET, { path: "/api/v1/api-keys", key: t.key });
    expect(list.status).toBe(200);
    expect(list.body.data.map((k: { id: string }) => k.id)).toContain(created.body.id);
    expect(JSON.stringify(list.body)).not.toContain(created.body.secret);

    const revoked = await call(keyRoute.DELETE, { method: "DELETE", path: `/api/v1/api-keys/${created.body.id}`, key: t.key, params: { id: created.body.id } });
    expect(revoked.status).toBe(200);
    expect(revoked.body.status).toBe("revoked");
    const after = await call(meRoute.GET, { path: "/api/v1/me", key: created.body.secret });
    expect(after.status).toBe(401);
    expect(after.body.error.message).toMatch(/revoked/);
  });

  it("records last use", async () => {
    const t = await createTestTenant();
    await call(meRoute.GET, { path: "/api/v1/me", key: t.key });
    // Written off the request path (lib/keys/authenticate-api-key.ts).
    await waitFor(async () => (await db().apiKey.findUniqueOrThrow({ where: { id: t.keyId } })).lastUsedAt, { what: "lastUsedAt to be written" });
  });

  it("rejects an expired key", async () => {
    const t = await createTestTenant();
    const key = await createKey(t.id, ["sessions:read"], { expiresAt: new Date(Date.now() + 60_000).toISOString() });
    expect((await call(meRoute.GET, { path: "/api/v1/me", key: key.secret })).status).toBe(200);
    await db().apiKey.update({ where: { id: key.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    // Changed outside the API: the cached lookup learns it from the api_keys trigger's NOTIFY.
    const res = await waitFor(async () => {
      const r = await call(meRoute.GET, { path: "/api/v1/me", key: key.secret });
      return r.status === 401 && r;
    }, { what: "the expired key to be refused", timeoutMs: 3000 });
    expect(res.body.error.message).toMatch(/expired/);
  });

  it.each([
    ["an unknown field", { name: "x", scopes: ["admin"], extra: true }, "body"],
    ["an unknown scope", { name: "x", scopes: ["root"] }, "body.scopes.0"],
    ["a missing name", { scopes: ["admin"] }, "body.name"],
    ["a wrong type", { name: 42, scopes: ["admin"] }, "body.name"],
    ["no scopes", { name: "x", scopes: [] }, "body.scopes"],
    ["an expiry in the past", { name: "x", scopes: ["admin"], expiresAt: "2001-01-01T00:00:00Z" }, "body.expiresAt"],
  ])("answers 400 for %s and creates nothing", async (_, body, field) => {
    const t = await createTestTenant();
    const before = await db().apiKey.count({ where: { tenantId: t.id } });
    const res = await call(keysRoute.POST, { method: "POST", path: "/api/v1/api-keys", key: t.key, body });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("invalid_request");
    expect(res.body.error.details.fields.map((f: { path: string }) => f.path)).toContain(field);
    expect(res.body.requestId).toMatch(/^req_/);
    expect(await db().apiKey.count({ where: { tenantId: t.id } })).toBe(before);
  });

  it("answers 400 for malformed JSON, 415 for another content type and 413 for an oversized body", async () => {
    const t = await createTestTenant();
    const path = "/api/v1/api-keys";
    expect((await call(keysRoute.POST, { method: "POST", path, key: t.key, rawBody: "{name:" })).status).toBe(400);
    expect((await call(keysRoute.POST, { method: "POST", path, key: t.key, rawBody: "" })).status).toBe(400);
    const wrongType = await call(keysRoute.POST, { method: "POST", path, key: t.key, rawBody: "name=x", headers: { "content-type": "application/x-www-form-urlencoded" } });
    expect(wrongType.status).toBe(415);
    const huge = await call(keysRoute.POST, { method: "POST", path, key: t.key, body: { name: "x".repeat(2 * 1024 * 1024), scopes: ["admin"] } });
    expect(huge.status).toBe(413);
    expect(huge.body.error.code).toBe("payload_too_large");
  });

  it("stores SQL-looking names verbatim", async () => {
    const t = await createTestTenant();
    const name = "x'); DROP TABLE api_keys; --";
    const res = await call(keysRoute.POST, { method: "POST", path: "/api/v1/api-keys", key: t.key, body: { name, scopes: ["admin"] } });
    expect(res.status).toBe(201);
    expect((await db().apiKey.findUniqueOrThrow({ where: { id: res.body.id } })).name).toBe(name);
  });

  it("answers 401 without credentials or with a malformed or unknown key", async () => {
    for (const headers of [{}, { authorization: "Basic abc" }, { authorization: "Bearer bur_nope" }, { authorization: `Bearer bur_${"A".repeat(43)}` }] as Record<string, string>[]) {
      const res = await call(keysRoute.GET, { path: "/api/v1/api-keys", headers });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe("unauthorized");
    }
  });

  it("answers 403 without the admin scope and never grants more scopes than the caller has", async () => {
    const t = await createTestTenant();
    const reader = await createKey(t.id, ["sessions:read"]);
    const res = await call(keysRoute.GET, { path: "/api/v1/api-keys", key: reader.secret });
    expect(res.status).toBe(403);
    expect(res.body.error.details.requiredScopes).toEqual(["admin"]);

    const cookie = await sessionCookie({ userId: t.userId, email: t.email });
    const viewerless = await createKey(t.id, ["admin"]);
    const beyond = await call(keysRoute.POST, { method: "POST", path: "/api/v1/api-keys", key: viewerless.secret, body: { name: "x", scopes: ["sessions:write"] } });
    expect(beyond.status).toBe(403);
    const asOwner = await call(keysRoute.POST, { method: "POST", path: "/api/v1/api-keys", cookie, tenant: t.slug, body: { name: "x", scopes: ["sessions:write"] } });
    expect(asOwner.status).toBe(201);
  });

  it("answers 404 for another tenant's key and leaves it alone", async () => {
    const a = await createTestTenant();
    const b = await createTestTenant();
    const res = await call(keyRoute.DELETE, { method: "DELETE", path: `/api/v1/api-keys/${a.keyId}`, key: b.key, params: { id: a.keyId } });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe("not_found");
    expect((await db().apiKey.findUniqueOrThrow({ where: { id: a.keyId } })).revokedAt).toBeNull();
  });

  it("replays the first answer for a repeated Idempotency-Key and refuses it for another body", async () => {
    const t = await createTestTenant();
    const post = (name: string) =>
      call(keysRoute.POST, { method: "POST", path: "/api/v1/api-keys", key: t.key, headers: { "idempotency-key": "k-1" }, body: { name, scopes: ["admin"] } });
    const first = await post("one");
    const again = await post("one");
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(first.body.id);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(await db().apiKey.count({ where: { tenantId: t.id, name: "one" } })).toBe(1);
    const other = await post("two");
    expect(other.status).toBe(409);
    expect(await db().apiKey.count({ where: { tenantId: t.id, name: "two" } })).toBe(0);
  });

  it("runs concurrent retries with one Idempotency-Key exactly once", async () => {
    const t = await createTestTenant();
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        call(keysRoute.POST, { method: "POST", path: "/api/v1/api-keys", key: t.key, headers: { "idempotency-key": "burst" }, body: { name: "burst", scopes: ["admin"] } }),
      ),
    );
    expect(await db().apiKey.count({ where: { tenantId: t.id, name: "burst" } })).toBe(1);
    for (const r of results) expect([201, 409]).toContain(r.status);
  });

  it("pages with a cursor and refuses huge pages", async () => {
    const t = await createTestTenant();
    for (let i = 0; i < 4; i++) await createKey(t.id, ["sessions:read"]);
    const first = await call(keysRoute.GET, { path: "/api/v1/api-keys?limit=2", key: t.key });
    expect(first.body.data).toHaveLength(2);
    const second = await call(keysRoute.GET, { path: `/api/v1/api-keys?limit=2&cursor=${first.body.nextCursor}`, key: t.key });
    const third = await call(keysRoute.GET, { path: `/api/v1/api-keys?limit=2&cursor=${second.body.nextCursor}`, key: t.key });
    const ids = [...first.body.data, ...second.body.data, ...third.body.data].map((k: { id: string }) => k.id);
    expect(new Set(ids).size).toBe(5);
    expect(third.body.nextCursor).toBeNull();
    expect((await call(keysRoute.GET, { path: "/api/v1/api-keys?limit=100000", key: t.key })).status).toBe(400);
    expect((await call(keysRoute.GET, { path: "/api/v1/api-keys?cursor=' OR 1=1 --", key: t.key })).status).toBe(400);
  });

  it("rate-limits per key with 429 and Retry-After", async () => {
    const t = await createTestTenant();
    const limit = Number(process.env.API_RATE_LIMIT_PER_MINUTE);
    let limited: Awaited<ReturnType<typeof call>> | undefined;
    // The bucket refills while we spend it, so allow for that (bounded at twice the limit).
    for (let i = 0; i <= limit * 2 && !limited; i++) {
      const res = await call(meRoute.GET, { path: "/api/v1/me", key: t.key });
      if (res.status === 429) limited = res;
    }
    expect(limited?.body.error.code).toBe("rate_limited");
    expect(Number(limited?.headers.get("retry-after"))).toBeGreaterThan(0);
    // Another key of the same tenant has its own budget.
    const other = await createKey(t.id, ["sessions:read"]);
    expect((await call(meRoute.GET, { path: "/api/v1/me", key: other.secret })).status).toBe(200);
  });
});
