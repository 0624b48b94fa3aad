// A member or viewer creates API keys with at most their role's scopes (403 beyond, naming them),
// sees and revokes only the keys they created; an API key without admin mints none.
import { describe, expect, it } from "vitest";
import * as keysRoute from "@/app/api/v1/api-keys/route";
import * as keyRoute from "@/app/api/v1/api-keys/[id]/route";
import * as acceptRoute from "@/app/api/v1/invitations/accept/route";
import * as invitationsRoute from "@/app/api/v1/invitations/route";
import * as meRoute from "@/app/api/v1/me/route";
import * as memberRoute from "@/app/api/v1/members/[id]/route";
import * as membersRoute from "@/app/api/v1/members/route";
import { signUp } from "@/lib/tenants";
import { call, createKey, createTestTenant, sessionCookie, uniqueSlug, type TestTenant } from "./helpers";

async function joinAs(t: TestTenant, role: "member" | "viewer") {
  const slug = uniqueSlug("u");
  const { user } = await signUp({ input: { email: `${slug}@example.test`, password: "long enough pw", tenantName: slug, tenantSlug: slug }, ip: null });
  const cookie = await sessionCookie({ userId: user.id, email: user.email });
  const invite = await call(invitationsRoute.POST, { method: "POST", path: "/api/v1/invitations", key: t.key, body: { role } });
  const accepted = await call(acceptRoute.POST, { method: "POST", path: "/api/v1/invitations/accept", cookie, body: { token: invite.body.token } });
  expect(accepted.status).toBe(200);
  const members = await call(membersRoute.GET, { path: "/api/v1/members?limit=100", key: t.key });
  const membershipId: string = members.body.data.find((m: { userId: string }) => m.userId === user.id).id;
  return { cookie, tenant: t.slug, membershipId };
}

const createAs = (who: { cookie: string; tenant: string }, scopes: string[], name = "mine") =>
  call(keysRoute.POST, { method: "POST", path: "/api/v1/api-keys", cookie: who.cookie, tenant: who.tenant, body: { name, scopes } });

describe("API keys by role", () => {
  it("lets a member create a key with the member's scopes and refuses any scope beyond the role with 403", async () => {
    const t = await createTestTenant();
    const member = await joinAs(t, "member");

    const ok = await createAs(member, ["sessions:read", "sessions:write"]);
    expect(ok.status).toBe(201);
    const me = await call(meRoute.GET, { path: "/api/v1/me", key: ok.body.secret });
    expect(me.body.scopes).toEqual(["sessions:read", "sessions:write"]);

    const beyond = await createAs(member, ["sessions:read", "admin"]);
    expect(beyond.status).toBe(403);
    expect(beyond.body.error.code).toBe("forbidden");
    expect(beyond.body.error.message).toMatch(/Your role \(member\) cannot grant the scope\(s\): admin/);
    expect(beyond.body.error.details).toMatchObject({ scopes: ["admin"] });
    expect(beyond.body.error.details.allowedScopes).not.toContain("admin");
  });

  it("lets a viewer create only read keys", async () => {
    const t = await createTestTenant();
    const viewer = await joinAs(t, "viewer");
    expect((await createAs(viewer, ["sessions:read", "billing:read"])).status).toBe(201);
    const write = await createAs(viewer, ["sessions:write"]);
    expect(write.status).toBe(403);
    expect(write.body.error.details.scopes).toEqual(["sessions:write"]);
  });

  it("shows a member only the keys they created and lets them revoke only those", async () => {
    const t = await createTestTenant();
    const member = await joinAs(t, "member");
    const other = await joinAs(t, "member");
    const mine = await createAs(member, ["sessions:read"], "mine");
    const theirs = await createAs(other, ["sessions:read"], "theirs");

    const list = await call(keysRoute.GET, { path: "/api/v1/api-keys", cookie: member.cookie, tenant: t.slug });
    expect(list.status).toBe(200);
    expect(list.body.data.map((k: { id: string }) => k.id)).toEqual([mine.body.id]);

    const revokeTheirs = await call(keyRoute.DELETE, { method: "DELETE", path: `/api/v1/api-keys/${theirs.body.id}`, cookie: member.cookie, tenant: t.slug, params: { id: theirs.body.id } });
    expect(revokeTheirs.status).toBe(404);
    const revokeOwners = await call(keyRoute.DELETE, { method: "DELETE", path: `/api/v1/api-keys/${t.keyId}`, cookie: member.cookie, tenant: t.slug, params: { id: t.keyId } });
    expect(revokeOwners.status).toBe(404);
    const revokeMine = await call(keyRoute.DELETE, { method: "DELETE", path: `/api/v1/api-keys/${mine.body.id}`, cookie: member.cookie, tenant: t.slug, params: { id: mine.body.id } });
    expect(revokeMine.status).toBe(200);

    // The owner still sees every key, the members' included.
    const all = await call(keysRoute.GET, { path: "/api/v1/api-keys?limit=100", key: t.key });
    expect(all.body.data.map((k: { id: string }) => k.id)).toEqual(expect.arrayContaining([mine.body.id, theirs.body.id, t.keyId]));
  });

  it("revokes a member's keys beyond a lower role, and all of them when the member leaves", async () => {
    const t = await createTestTenant();
    const member = await joinAs(t, "member");
    const reader = await createAs(member, ["sessions:read"], "reader");
    const writer = await createAs(member, ["sessions:read", "sessions:write"], "writer");
    const status = async (secret: string) => (await call(meRoute.GET, { path: "/api/v1/me", key: secret })).status;

    const demoted = await call(memberRoute.PATCH, { method: "PATCH", path: `/api/v1/members/${member.membershipId}`, key: t.key, params: { id: member.membershipId }, body: { role: "viewer" } });
    expect(demoted.status).toBe(200);
    expect(await status(writer.body.secret)).toBe(401);
    expect(await status(reader.body.secret)).toBe(200);

    const removed = await call(memberRoute.DELETE, { method: "DELETE", path: `/api/v1/members/${member.membershipId}`, key: t.key, params: { id: member.membershipId } });
    expect(removed.status).toBe(200);
    expect(await status(reader.body.secret)).toBe(401);
    expect(await status(t.key)).toBe(200);
  });

  it("refuses an API key without admin that tries to mint a key, even one with its own scopes", async () => {
    const t = await createTestTenant();
    const writer = await createKey(t.id, ["sessions:read", "sessions:write"]);
    const res = await call(keysRoute.POST, { method: "POST", path: "/api/v1/api-keys", key: writer.secret, body: { name: "x", scopes: ["sessions:read"] } });
    expect(res.status).toBe(403);
    expect(res.body.error.details.requiredScopes).toEqual(["admin"]);
  });
});
