import { describe, expect, it } from "vitest";
import * as auditRoute from "@/app/api/v1/audit-log/route";
import * as keysRoute from "@/app/api/v1/api-keys/route";
import * as keyRoute from "@/app/api/v1/api-keys/[id]/route";
import { installPeerAddressHeader } from "@/lib/api/peer-address";
import { call, createKey, createTestTenant, sessionCookie } from "./helpers";
import { startRouteServer } from "./route-server";

describe("audit log", () => {
  it("records who created and revoked a key, from where, newest first", async () => {
    const t = await createTestTenant();
    const cookie = await sessionCookie({ userId: t.userId, email: t.email });
    const created = await call(keysRoute.POST, {
      method: "POST", path: "/api/v1/api-keys", cookie, tenant: t.slug, body: { name: "audited", scopes: ["admin"] },
    });
    await call(keyRoute.DELETE, { method: "DELETE", path: `/api/v1/api-keys/${created.body.id}`, key: t.key, params: { id: created.body.id } });
    const log = await call(auditRoute.GET, { path: "/api/v1/audit-log?limit=3", key: t.key });
    expect(log.status).toBe(200);
    const [revoked, made] = log.body.data;
    expect(revoked).toMatchObject({ action: "api_key.revoked", actor: { type: "key", id: t.keyId }, target: { type: "api_key", id: created.body.id } });
    expect(made).toMatchObject({ action: "api_key.created", actor: { type: "user", id: t.userId, label: t.email } });
    expect(JSON.stringify(log.body)).not.toContain(created.body.secret);
  });

  it("records the socket's address, not an X-Forwarded-For the caller made up (no trusted proxies)", async () => {
    installPeerAddressHeader(); // what instrumentation.ts does in the web process
    const t = await createTestTenant();
    const cookie = await sessionCookie({ userId: t.userId, email: t.email });
    const server = await startRouteServer({ "/api/v1/api-keys": keysRoute.POST });
    try {
      const forged = { cookie, "x-burrow-tenant": t.slug, "content-type": "application/json", "x-forwarded-for": "203.0.113.7", "x-burrow-peer-address": "203.0.113.8" };
      const res = await fetch(`${server.url}/api/v1/api-keys`, { method: "POST", headers: forged, body: JSON.stringify({ name: "over http", scopes: ["admin"] }) });
      expect(res.status).toBe(201);
    } finally {
      await server.close();
    }
    // Without a socket (a handler called directly) the address is unknown, never the header's.
    await call(keysRoute.POST, { method: "POST", path: "/api/v1/api-keys", cookie, tenant: t.slug, body: { name: "direct", scopes: ["admin"] }, headers: { "x-forwarded-for": "203.0.113.7" } });
    const log = await call(auditRoute.GET, { path: "/api/v1/audit-log?action=api_key.created&limit=2", key: t.key });
    expect(log.body.data.map((e: { ip: string | null }) => e.ip)).toEqual([null, "127.0.0.1"]);
  });

  it("pages through events with the cursor and filters by action", async () => {
    const t = await createTestTenant();
    for (let i = 0; i < 3; i++) await createKey(t.id, ["sessions:read"]);
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 10; page++) {
      const res: Awaited<ReturnType<typeof call>> = await call(auditRoute.GET, { path: `/api/v1/audit-log?limit=2${cursor ? `&cursor=${cursor}` : ""}`, key: t.key });
      seen.push(...res.body.data.map((e: { id: string }) => e.id));
      cursor = res.body.nextCursor;
      if (!cursor) break;
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual([...seen].sort().reverse());
    const filtered = await call(auditRoute.GET, { path: "/api/v1/audit-log?action=api_key.created", key: t.key });
    expect(filtered.body.data.length).toBe(4);
    expect(filtered.body.data.every((e: { action: string }) => e.action === "api_key.created")).toBe(true);
  });

  it("is readable only with the admin scope", async () => {
    const t = await createTestTenant();
    const reader = await createKey(t.id, ["sessions:read"]);
    expect((await call(auditRoute.GET, { path: "/api/v1/audit-log", key: reader.secret })).status).toBe(403);
  });
});
