// Invitations by link: the token is shown once to the inviter, stored only as a hash, and turns
// into a membership when a signed-in person opens the link. No mail server is needed.
import { createHash, randomBytes } from "node:crypto";
import type { z } from "zod";
import { AppError, notFound } from "../api/errors";
import type { TenantContext, UserContext } from "../auth/context";
import type { Role } from "../auth/scopes";
import { recordAuditEvent } from "../audit";
import { db } from "../db/client";
import { inTransaction, type TenantTx } from "../db/tenant-scope";
import { newId } from "../ids";
import type { createInvitationSchema } from "./schemas";

const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");

type InvitationRow = { id: string; role: string; email: string | null; expiresAt: Date; createdAt: Date; acceptedAt: Date | null; revokedAt: Date | null };

function toInvitation(row: InvitationRow, now = new Date()) {
  const status = row.acceptedAt ? "accepted" : row.revokedAt ? "revoked" : row.expiresAt <= now ? "expired" : "pending";
  return { id: row.id, role: row.role as Role, email: row.email, expiresAt: row.expiresAt.toISOString(), createdAt: row.createdAt.toISOString(), status } as const;
}

export async function createInvitation({ ctx, input, baseUrl }: { ctx: TenantContext; input: z.infer<typeof createInvitationSchema>; baseUrl: string }) {
  if (input.role === "owner" && ctx.role !== "owner") throw new AppError("forbidden", "Only an owner can invite an owner");
  const token = `inv_${randomBytes(24).toString("base64url")}`;
  const row = await inTransaction(ctx.db, async (tx) => {
    const invitation = await tx.invitation.create({
      data: {
        id: newId("inv"),
        tenantId: ctx.tenantId,
        tokenHash: hashToken(token),
        role: input.role,
        email: input.email ?? null,
        createdById: ctx.actor.id,
        expiresAt: new Date(Date.now() + input.expiresInDays * 86_400_000),
      },
    });
    await recordAuditEvent({ ...ctx, db: tx }, {
      action: "invitation.created", targetType: "invitation", targetId: invitation.id, metadata: { role: input.role, email: input.email ?? null },
    });
    return invitation;
  });
  return { ...toInvitation(row), token, url: `${baseUrl.replace(/\/$/, "")}/invite/${token}` };
}

export async function listPendingInvitations({ ctx }: { ctx: TenantContext }) {
  const rows = await ctx.db.invitation.findMany({
    where: { acceptedAt: null, revokedAt: null, expiresAt: { gt: new Date() } },
    orderBy: { id: "desc" },
    take: 100,
  });
  return { data: rows.map((r) => toInvitation(r)) };
}

export async function revokeInvitation({ ctx, input }: { ctx: TenantContext; input: { id: string } }) {
  return inTransaction(ctx.db, async (tx: TenantTx) => {
    const invitation = await tx.invitation.findFirst({ where: { id: input.id } });
    if (!invitation) throw notFound("Invitation");
    if (invitation.acceptedAt || invitation.revokedAt) return toInvitation(invitation);
    const revoked = await tx.invitation.update({ where: { id: invitation.id }, data: { revokedAt: new Date() } });
    await recordAuditEvent({ ...ctx, db: tx }, { action: "invitation.revoked", targetType: "invitation", targetId: invitation.id });
    return toInvitation(revoked);
  });
}

/** An invitation admits one person: whoever accepts after that (or at the same moment and loses) gets 409. */
const invitationUsed = () => new AppError("conflict", "This invitation link has already been used; ask for a new one");

/** The token names the tenant, so this lookup is by token, not by tenant. */
export async function acceptInvitation({ ctx, input }: { ctx: UserContext; input: { token: string } }) {
  return db().$transaction(async (tx) => {
    const invitation = await tx.invitation.findUnique({ where: { tokenHash: hashToken(input.token) }, include: { tenant: true } });
    if (invitation?.acceptedAt) throw invitationUsed();
    const usable = invitation && !invitation.revokedAt && invitation.expiresAt > new Date();
    if (!invitation || !usable) throw new AppError("not_found", "This invitation link is not valid any more; ask for a new one");
    const tenant = { slug: invitation.tenant.slug, name: invitation.tenant.name };
    const existing = await tx.membership.findUnique({ where: { tenantId_userId: { tenantId: invitation.tenantId, userId: ctx.userId } } });
    if (existing) return { tenant, role: existing.role as Role, alreadyMember: true };
    // Claim the invitation before the membership: a conditional update, so of people accepting at
    // the same moment exactly one matches (the others wait on the row lock, then find acceptedAt set).
    const now = new Date();
    const claimed = await tx.invitation.updateMany({
      where: { id: invitation.id, acceptedAt: null, revokedAt: null, expiresAt: { gt: now } },
      data: { acceptedAt: now },
    });
    if (claimed.count !== 1) throw invitationUsed();
    const membership = await tx.membership.create({
      data: { id: newId("mem"), tenantId: invitation.tenantId, userId: ctx.userId, role: invitation.role },
    });
    await recordAuditEvent(
      { tenantId: invitation.tenantId, actor: { type: "user", id: ctx.userId, label: ctx.email }, ip: ctx.ip, db: tx as unknown as TenantTx },
      { action: "member.added", targetType: "member", targetId: membership.id, metadata: { email: ctx.email, role: invitation.role, invitationId: invitation.id } },
    );
    return { tenant, role: membership.role as Role, alreadyMember: false };
  });
}
