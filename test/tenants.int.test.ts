import { verify } from "@node-rs/argon2";
import { describe, expect, it } from "vitest";
import * as signupRoute from "@/app/api/auth/signup/route";
import * as meRoute from "@/app/api/v1/me/route";
import * as tenantRoute from "@/app/api/v1/tenant/route";
import * as tenantsRoute from "@/app/api/v1/tenants/route";
import { db } from "@/lib/db/client";
import { call, createTestTenant, sessionCookie, uniqueSlug } from "./helpers";

describe("sign-up and tenants", () => {
  it("creates a user with an argon2id hash, a tenant and owner membership", async () => {
    const slug = uniqueSlug();
    const res = await call(signupRoute.POST, {
      method: "POST", path: "/api/auth/signup",
      body: { email: `${slug}@Example.test`, password: "a long password", tenantName: "Acme", tenantSlug: slug },
    });
    expect(res.status).toBe(201);
    const user = await db().user.findUniqueOrThrow({ where: { email: `${slug}@example.test` } });
    expect(user.passwordHash).toMatch(/^\$argon2id\$/);
    expect(await verify(user.passwordHash!, "a long password")).toBe(true);
    const membership = await db().membership.findFirstOrThrow({ where: { userId: user.id } });
    expect(membership.role).toBe("owner");
    const events = await db().auditEvent.findMany({ where: { tenantId: res.body.tenant.id } });
    expect(events.map((e) => e.action)).toContain("tenant.created");
  });

  it("answers 409 for a taken slug or email and creates nothing", async () => {
    const t = await createTestTenant();
    const newEmail = `${uniqueSlug()}@example.test`;
    const slugTaken = await call(signupRoute.POST, {
      method: "POST", path: "/api/auth/signup",
      body: { email: newEmail, password: "a long password", tenantName: "x", tenantSlug: t.slug },
    });
    expect(slugTaken.status).toBe(409);
    expect(slugTaken.body.error.details.fields[0].path).toBe("body.tenantSlug");
    expect(await db().user.findUnique({ where: { email: newEmail } })).toBeNull();
    const newSlug = uniqueSlug();
    const emailTaken = await call(signupRoute.POST, {
      method: "POST", path: "/api/auth/signup",
      body: { email: t.email.toUpperCase(), password: "a long password", tenantName: "x", tenantSlug: newSlug },
    });
    expect(emailTaken.status).toBe(409);
    expect(await db().tenant.findUnique({ where: { slug: newSlug } })).toBeNull();
  });

  it.each([
    [{ email: "not-an-email", password: "a long password", tenantName: "x", tenantSlug: "valid-slug" }, "body.email"],
    [{ email: "a@b.test", password: "short", tenantName: "x", tenantSlug: "valid-slug" }, "body.password"],
    [{ email: "a@b.test", password: "a long password", tenantName: "x", tenantSlug: "Bad Slug!" }, "body.tenantSlug"],
    [{ email: "a@b.test", password: "a long password", tenantName: "x", tenantSlug: "api" }, "body.tenantSlug"],
  ])("answers 400 for bad sign-up input %#", async (body, field) => {
    const res = await call(signupRoute.POST, { method: "POST", path: "/api/auth/signup", body });
    expect(res.status).toBe(400);
    expect(res.body.error.details.fields.map((f: { path: string }) => f.path)).toContain(field);
  });

  it("lets a user create and switch between several tenants", async () => {
    const t = await createTestTenant();
    const cookie = await sessionCookie({ userId: t.userId, email: t.email });
    const second = uniqueSlug();
    const created = await call(tenantsRoute.POST, { method: "POST", path: "/api/v1/tenants", cookie, body: { name: "Second", slug: second } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ slug: second, role: "owner" });
    const mine = await call(tenantsRoute.GET, { path: "/api/v1/tenants", cookie });
    expect(mine.body.data.map((x: { slug: string }) => x.slug).sort()).toEqual([t.slug, second].sort());
    for (const slug of [t.slug, second]) {
      const me = await call(meRoute.GET, { path: "/api/v1/me", cookie, tenant: slug });
      expect(me.body.tenant.slug).toBe(slug);
    }
    const dup = await call(tenantsRoute.POST, { method: "POST", path: "/api/v1/tenants", cookie, body: { name: "Dup", slug: second } });
    expect(dup.status).toBe(409);
  });

  it("needs the tenant header for cookie callers and hides tenants the user is not in", async () => {
    const a = await createTestTenant();
    const b = await createTestTenant();
    const cookie = await sessionCookie({ userId: a.userId, email: a.email });
    expect((await call(meRoute.GET, { path: "/api/v1/me", cookie })).status).toBe(400);
    expect((await call(meRoute.GET, { path: "/api/v1/me", cookie, tenant: b.slug })).status).toBe(404);
    expect((await call(meRoute.GET, { path: "/api/v1/me", cookie, tenant: b.id })).status).toBe(404);
    // Flip the first character of the JWE's authentication tag: unlike the last base64url
    // character (whose low bits are padding), all of its bits count, so the tag cannot verify.
    const tagStart = cookie.lastIndexOf(".") + 1;
    const flipped = cookie[tagStart] === "A" ? "B" : "A";
    const forged = cookie.slice(0, tagStart) + flipped + cookie.slice(tagStart + 1);
    expect((await call(meRoute.GET, { path: "/api/v1/me", cookie: forged, tenant: a.slug })).status).toBe(401);
  });

  it("renames the tenant with the admin scope and records it", async () => {
    const t = await createTestTenant();
    const res = await call(tenantRoute.PATCH, { method: "PATCH", path: "/api/v1/tenant", key: t.key, body: { name: "Renamed" } });
    expect(res.status).toBe(200);
    expect(res.body.name).toBe("Renamed");
    const events = await db().auditEvent.findMany({ where: { tenantId: t.id, action: "tenant.updated" } });
    expect(events).toHaveLength(1);
    expect((await call(tenantRoute.PATCH, { method: "PATCH", path: "/api/v1/tenant", key: t.key, body: { slug: "nope" } })).status).toBe(400);
  });
});
