// What an invitation link's page shows before anyone accepts: the tenant, the role and who invited.
// The token is the secret that names the invitation, so whoever holds the link may read this much
// (the same reach acceptInvitation gives it); nothing else of the tenant is shown.
import { createHash } from "node:crypto";
import type { Role } from "../auth/scopes";
import { db } from "../db/client";

export type InvitationPreview = {
  tenantName: string;
  tenantSlug: string;
  role: Role;
  /** The inviter's email, or the API key's name when a key created the invitation; null if deleted since. */
  invitedBy: string | null;
  expiresAt: Date;
  status: "pending" | "accepted" | "revoked" | "expired";
};

export async function describeInvitation(token: string, now = new Date()): Promise<InvitationPreview | null> {
  if (!/^inv_[A-Za-z0-9_-]{16,64}$/.test(token)) return null;
  const tokenHash = createHash("sha256").update(token).digest("hex");
  const invitation = await db().invitation.findUnique({ where: { tokenHash }, include: { tenant: { select: { name: true, slug: true } } } });
  if (!invitation) return null;
  const status = invitation.acceptedAt ? "accepted" : invitation.revokedAt ? "revoked" : invitation.expiresAt <= now ? "expired" : "pending";
  return {
    tenantName: invitation.tenant.name,
    tenantSlug: invitation.tenant.slug,
    role: invitation.role as Role,
    invitedBy: await inviterLabel(invitation.tenantId, invitation.createdById),
    expiresAt: invitation.expiresAt,
    status,
  };
}

/** createdById holds the acting user's id, or the API key's id when a key invited. */
async function inviterLabel(tenantId: string, actorId: string | null): Promise<string | null> {
  if (!actorId) return null;
  const user = await db().user.findUnique({ where: { id: actorId }, select: { email: true } });
  if (user) return user.email;
  const key = await db().apiKey.findFirst({ where: { id: actorId, tenantId }, select: { name: true } });
  return key ? `the API key “${key.name}”` : null;
}
