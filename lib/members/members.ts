// Members of a tenant and their roles. Only owners make or unmake owners, and a tenant always keeps
// at least one owner.
import type { z } from "zod";
import { AppError, notFound } from "../api/errors";
import { pageArgs, toPage } from "../api/pagination";
import type { TenantContext } from "../auth/context";
import { ROLE_SCOPES, type Role } from "../auth/scopes";
import { recordAuditEvent } from "../audit";
import { forgetApiKeys } from "../keys/authenticate-api-key";
import { revokeKeysBeyondScopes } from "../keys/revoke-keys-beyond-role";
import { inTransaction, type TenantTx } from "../db/tenant-scope";
import type { listMembersQuerySchema } from "./schemas";

type MemberRow = { id: string; userId: string; role: string; createdAt: Date; user: { email: string; name: string | null } };

function toMember(row: MemberRow) {
  return { id: row.id, userId: row.userId, email: row.user.email, name: row.user.name, role: row.role as Role, createdAt: row.createdAt.toISOString() };
}

export async function listMembers({ ctx, input }: { ctx: TenantContext; input: z.infer<typeof listMembersQuerySchema> }) {
  const rows = await ctx.db.membership.findMany({ ...pageArgs(input), include: { user: { select: { email: true, name: true } } } });
  return toPage(rows, input, toMember);
}

async function getMemberOrThrow(tx: TenantTx, id: string) {
  const member = await tx.membership.findFirst({ where: { id }, include: { user: { select: { email: true, name: true } } } });
  if (!member) throw notFound("Member");
  return member;
}

function assertMayManage(ctx: TenantContext, targetRole: Role, newRole?: Role) {
  // API keys with the admin scope act with admin rights.
  const actingRole: Role = ctx.role ?? "admin";
  if ((targetRole === "owner" || newRole === "owner") && actingRole !== "owner") {
    throw new AppError("forbidden", "Only an owner can grant or take away the owner role");
  }
}

async function assertNotLastOwner(tx: TenantTx, member: { role: string }) {
  if (member.role !== "owner") return;
  const owners = await tx.membership.count({ where: { role: "owner" } });
  if (owners <= 1) throw new AppError("conflict", "A tenant needs at least one owner; make someone else owner first");
}

export async function changeMemberRole({ ctx, input }: { ctx: TenantContext; input: { id: string; role: Role } }) {
  let revokedKeys: string[] = [];
  const member = await inTransaction(ctx.db, async (tx) => {
    const member = await getMemberOrThrow(tx, input.id);
    assertMayManage(ctx, member.role as Role, input.role);
    if (member.role === input.role) return toMember(member);
    if (input.role !== "owner") await assertNotLastOwner(tx, member);
    const updated = await tx.membership.update({ where: { id: member.id }, data: { role: input.role }, include: { user: { select: { email: true, name: true } } } });
    await recordAuditEvent({ ...ctx, db: tx }, {
      action: "member.role_changed", targetType: "member", targetId: member.id,
      metadata: { email: member.user.email, from: member.role, to: input.role },
    });
    revokedKeys = await revokeKeysBeyondScopes(ctx, tx, member.userId, ROLE_SCOPES[input.role], `creator's role changed to ${input.role}`);
    return toMember(updated);
  });
  forgetApiKeys(revokedKeys);
  return member;
}

export async function removeMember({ ctx, input }: { ctx: TenantContext; input: { id: string } }) {
  let revokedKeys: string[] = [];
  const removed = await inTransaction(ctx.db, async (tx) => {
    const member = await getMemberOrThrow(tx, input.id);
    assertMayManage(ctx, member.role as Role);
    await assertNotLastOwner(tx, member);
    await tx.membership.delete({ where: { id: member.id } });
    await recordAuditEvent({ ...ctx, db: tx }, {
      action: "member.removed", targetType: "member", targetId: member.id, metadata: { email: member.user.email, role: member.role },
    });
    revokedKeys = await revokeKeysBeyondScopes(ctx, tx, member.userId, [], "creator left the tenant");
    return toMember(member);
  });
  forgetApiKeys(revokedKeys);
  return removed;
}
