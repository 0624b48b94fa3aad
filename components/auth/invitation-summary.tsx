import type { InvitationPreview } from "@/lib/members/describe-invitation";
import { formatDateTime } from "../format";
import { RoleBadge } from "../ui/badge";

/** What each role may do, in a sentence for the person deciding whether to join. */
const ROLE_TEXT: Record<InvitationPreview["role"], string> = {
  owner: "Everything an admin can do, and make other people owners.",
  admin: "Manage sessions, templates, API keys, members and settings.",
  member: "Start and use sessions and snapshots, send telemetry, read usage, and create API keys with these same rights.",
  viewer: "Read sessions, snapshots and usage; change nothing.",
};

export function invitationTitle(invitation: InvitationPreview): string {
  return `Join ${invitation.tenantName} on Burrow`;
}

export function unusableInvitationText(invitation: InvitationPreview | null): string {
  if (!invitation) return "This link is not a valid invitation. Ask the person who sent it for a new one.";
  const to = `to ${invitation.tenantName}`;
  if (invitation.status === "accepted") return `This invitation ${to} has already been used. Ask for a new one, or sign in if it was you.`;
  if (invitation.status === "revoked") return `This invitation ${to} was withdrawn. Ask for a new one.`;
  return `This invitation ${to} expired on ${formatDateTime(invitation.expiresAt.toISOString())}. Ask for a new one.`;
}

/** The tenant, the role and who invited: what a person needs to know before joining. */
export function InvitationSummary({ invitation }: { invitation: InvitationPreview }) {
  return (
    <dl className="space-y-3 rounded-md border border-zinc-200 bg-zinc-50 p-4 text-sm" data-testid="invitation-summary">
      <div>
        <dt className="text-zinc-500">Tenant</dt>
        <dd className="font-medium text-zinc-900" data-testid="invitation-tenant">
          {invitation.tenantName} <code className="font-mono text-xs font-normal text-zinc-500">{invitation.tenantSlug}</code>
        </dd>
      </div>
      <div>
        <dt className="text-zinc-500">Your role</dt>
        <dd className="mt-0.5" data-testid="invitation-role"><RoleBadge role={invitation.role} /></dd>
        <dd className="mt-1 text-zinc-600">{ROLE_TEXT[invitation.role]}</dd>
      </div>
      <div>
        <dt className="text-zinc-500">Invited by</dt>
        <dd className="font-medium break-all text-zinc-900" data-testid="invitation-inviter">{invitation.invitedBy ?? "someone who has since left"}</dd>
      </div>
      <div>
        <dt className="text-zinc-500">Link valid until</dt>
        <dd className="text-zinc-900">{formatDateTime(invitation.expiresAt.toISOString())}</dd>
      </div>
    </dl>
  );
}
