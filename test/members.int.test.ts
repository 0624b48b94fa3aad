import { describe, expect, it } from "vitest";
import * as invitationsRoute from "@/app/api/v1/invitations/route";
import * as invitationRoute from "@/app/api/v1/invitations/[id]/route";
import * as acceptRoute from "@/app/api/v1/invitations/accept/route";
import * as membersRoute from "@/app/api/v1/members/route";
import * as memberRoute from "@/app/api/v1/members/[id]/route";
import * as meRoute from "@/app/api/v1/me/route";
import { signUp } from "@/lib/tenants";
import { call, createKey, createTestTenant, sessionCookie, uniqueSlug } from "./helpers";

async function newUser() {
  const slug = uniqueSlug("u");
  const { user } = await signUp({ input: { email: `${slug}@example.test`, password: "long enough pw", tenantName: slug, tenantSlug: slug }, ip: null });
  return { userId: user.id, email: user.email, cookie: await sessionCookie({ userId: user.id, email: user.email }) };
}

/** Invites a new user into tenant `t` with `role` through the API and returns them with their membership id. */
async function join(t: { key: string; slug: string }, role: "admin" | "member" | "viewer" | "owner", inviterKey = t.key) {
  const invite = await call(invitationsRoute.POST, { method: "POST", path: "/api/v1/invitations", key: inviterKey, body: { role } });
  expect(invite.status).toBe(201);
  expect(invite.body.url).toMatch(/\/invite\/inv_/);
  const user = await newUser();
  const accepted = await call(acceptRoute.POST, { method: "POST", path: "/api/v1/invitations/accept", cookie: user.cookie, body: { token: invite.body.token } });
  expect(accepted.status).toBe(200);
  expect(accepted.body).toMatchObject({ tenant: { slug: t.slug }, role, alreadyMember: false });
  const members = await call(membersRoute.GET, { path: "/api/v1/members", key: t.key });
  const membership = members.body.data.find((m: { userId: string }) => m.userId === user.userId);
  return { ...user, membershipId: membership.id as string, token: invite.body.token as string };
}

describe("members and invitations", () => {
  it("invites by link, accepts once, and lists the new member with the role", async () => {
    const t = await createTestTenant();
    const viewer = await join(t, "viewer");
    const me = await call(meRoute.GET, { path: "/api/v1/me", cookie: viewer.cookie, tenant: t.slug });
    expect(me.body).toMatchObject({ role: "viewer", scopes: ["sessions:read", "snapshots:read", "billing:read"] });
    const reuse = await call(acceptRoute.POST, { method: "POST", path: "/api/v1/invitations/accept", cookie: (await newUser()).cookie, body: { token: viewer.token } });
    expect(reuse.status).toBe(409);
    expect(reuse.body.error.message).toMatch(/already been used/);
  });

  it("admits exactly one of eight people who accept one invitation at the same moment", async () => {
    const t = await createTestTenant();
    const invite = await call(invitationsRoute.POST, { method: "POST", path: "/api/v1/invitations", key: t.key, body: { role: "member" } });
    const users = await Promise.all(Array.from({ length: 8 }, () => newUser()));
    const answers = await Promise.all(users.map((u) =>
      call(acceptRoute.POST, { method: "POST", path: "/api/v1/invitations/accept", cookie: u.cookie, body: { token: invite.body.token } })));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409, 409, 409, 409, 409, 409, 409]);
    for (const refused of answers.filter((a) => a.status === 409)) expect(refused.body.error.message).toMatch(/already been used/);
    const members = await call(membersRoute.GET, { path: "/api/v1/members", key: t.key });
    const joined = users.filter((u) => members.body.data.some((m: { userId: string }) => m.userId === u.userId));
    expect(joined).toHaveLength(1);
    expect(answers[users.indexOf(joined[0])].status).toBe(200);
  });

  it("enforces roles on the server: a viewer cannot manage members", async () => {
    const t = await createTestTenant();
    const viewer = await join(t, "viewer");
    const member = await join(t, "member");
    const res = await call(memberRoute.PATCH, { method: "PATCH", path: `/api/v1/members/${member.membershipId}`, cookie: viewer.cookie, tenant: t.slug, params: { id: member.membershipId }, body: { role: "admin" } });
    expect(res.status).toBe(403);
    const invite = await call(invitationsRoute.POST, { method: "POST", path: "/api/v1/invitations", cookie: member.cookie, tenant: t.slug, body: { role: "member" } });
    expect(invite.status).toBe(403);
  });

  it("lets an admin change roles but only an owner make owners, and keeps the last owner", async () => {
    const t = await createTestTenant();
    const admin = await join(t, "admin");
    const member = await join(t, "member");
    const path = `/api/v1/members/${member.membershipId}`;
    const toAdmin = await call(memberRoute.PATCH, { method: "PATCH", path, cookie: admin.cookie, tenant: t.slug, params: { id: member.membershipId }, body: { role: "admin" } });
    expect(toAdmin.status).toBe(200);
    expect(toAdmin.body.role).toBe("admin");
    const toOwner = await call(memberRoute.PATCH, { method: "PATCH", path, cookie: admin.cookie, tenant: t.slug, params: { id: member.membershipId }, body: { role: "owner" } });
    expect(toOwner.status).toBe(403);

    const owner = await sessionCookie({ userId: t.userId, email: t.email });
    const members = await call(membersRoute.GET, { path: "/api/v1/members", key: t.key });
    const ownerMembership = members.body.data.find((m: { userId: string }) => m.userId === t.userId);
    const demote = await call(memberRoute.PATCH, { method: "PATCH", path: `/api/v1/members/${ownerMembership.id}`, cookie: owner, tenant: t.slug, params: { id: ownerMembership.id }, body: { role: "member" } });
    expect(demote.status).toBe(409);
    const remove = await call(memberRoute.DELETE, { method: "DELETE", path: `/api/v1/members/${ownerMembership.id}`, cookie: owner, tenant: t.slug, params: { id: ownerMembership.id } });
    expect(remove.status).toBe(409);
  });

  it("removes a member, who then cannot reach the tenant", async () => {
    const t = await createTestTenant();
    const member = await join(t, "member");
    const res = await call(memberRoute.DELETE, { method: "DELETE", path: `/api/v1/members/${member.membershipId}`, key: t.key, params: { id: member.membershipId } });
    expect(res.status).toBe(200);
    const me = await call(meRoute.GET, { path: "/api/v1/me", cookie: member.cookie, tenant: t.slug });
    expect(me.status).toBe(404);
  });

  it("revokes a pending invitation so its link stops working", async () => {
    const t = await createTestTenant();
    const invite = await call(invitationsRoute.POST, { method: "POST", path: "/api/v1/invitations", key: t.key, body: { role: "member" } });
    const pending = await call(invitationsRoute.GET, { path: "/api/v1/invitations", key: t.key });
    expect(pending.body.data.map((i: { id: string }) => i.id)).toContain(invite.body.id);
    expect(JSON.stringify(pending.body)).not.toContain(invite.body.token);
    const revoked = await call(invitationRoute.DELETE, { method: "DELETE", path: `/api/v1/invitations/${invite.body.id}`, key: t.key, params: { id: invite.body.id } });
    expect(revoked.body.status).toBe("revoked");
    const user = await newUser();
    const accept = await call(acceptRoute.POST, { method: "POST", path: "/api/v1/invitations/accept", cookie: user.cookie, body: { token: invite.body.token } });
    expect(accept.status).toBe(404);
  });

  it("refuses accepting an invitation with an API key", async () => {
    const t = await createTestTenant();
    const res = await call(acceptRoute.POST, { method: "POST", path: "/api/v1/invitations/accept", key: t.key, body: { token: "inv_" + "x".repeat(30) } });
    expect(res.status).toBe(403);
  });

  it("needs no admin scope to list members, but some credentials", async () => {
    const t = await createTestTenant();
    const reader = await createKey(t.id, ["sessions:read"]);
    expect((await call(membersRoute.GET, { path: "/api/v1/members", key: reader.secret })).status).toBe(200);
    expect((await call(membersRoute.GET, { path: "/api/v1/members" })).status).toBe(401);
  });
});
