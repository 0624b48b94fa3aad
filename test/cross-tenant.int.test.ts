// List routes never show another tenant's rows, and a cookie user cannot act in a tenant by naming
// it. Every route with an id is covered by the generated suite (test/security.int.test.ts): tenant
// A's key and cookie on each of tenant B's ids answer 404, for every path and method in the registry.
import { describe, expect, it } from "vitest";
import * as keysRoute from "@/app/api/v1/api-keys/route";
import * as auditRoute from "@/app/api/v1/audit-log/route";
import * as invitationsRoute from "@/app/api/v1/invitations/route";
import * as membersRoute from "@/app/api/v1/members/route";
import * as sessionsRoute from "@/app/api/v1/sessions/route";
import * as snapshotsRoute from "@/app/api/v1/snapshots/route";
import * as templatesRoute from "@/app/api/v1/templates/route";
import * as tracesRoute from "@/app/api/v1/traces/route";
import { call, createTestTenant, sessionCookie } from "./helpers";
import { createTenantObjects } from "./security/tenant-objects";

type Handler = Parameters<typeof call>[0];

describe("tenant isolation", () => {
  it("lists only the caller's own rows", async () => {
    const a = await createTenantObjects();
    const b = await createTestTenant();
    const lists: [Handler, string][] = [
      [keysRoute.GET, "/api/v1/api-keys?limit=100"],
      [membersRoute.GET, "/api/v1/members?limit=100"],
      [invitationsRoute.GET, "/api/v1/invitations"],
      [auditRoute.GET, "/api/v1/audit-log?limit=100"],
      [sessionsRoute.GET, "/api/v1/sessions?limit=100"],
      [snapshotsRoute.GET, "/api/v1/snapshots?limit=100"],
      [templatesRoute.GET, "/api/v1/templates"],
      [tracesRoute.GET, "/api/v1/traces?limit=100"],
    ];
    for (const [handler, p] of lists) {
      const res = await call(handler, { path: p, key: b.key });
      expect(res.status).toBe(200);
      const text = JSON.stringify(res.body);
      for (const id of [a.id, a.userId, ...Object.values(a.ids)]) expect(text).not.toContain(id);
    }
  });

  it("a cookie user of tenant A cannot act in tenant B by naming it", async () => {
    const a = await createTestTenant();
    const b = await createTestTenant();
    const aCookie = await sessionCookie({ userId: a.userId, email: a.email });
    const res = await call(keysRoute.GET, { path: "/api/v1/api-keys", cookie: aCookie, tenant: b.slug });
    expect(res.status).toBe(404);
  });
});
