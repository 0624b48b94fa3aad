import type { Metadata } from "next";
import Link from "next/link";
import { AcceptInvite } from "@/components/auth/accept-invite";
import { AuthCard } from "@/components/auth/auth-card";
import { InvitationSummary, invitationTitle, unusableInvitationText } from "@/components/auth/invitation-summary";
import { buttonClass } from "@/components/ui/button";
import { auth } from "@/lib/auth/next-auth";
import { describeInvitation } from "@/lib/members";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Invitation · Burrow" };

export default async function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const [session, invitation] = await Promise.all([auth(), describeInvitation(token)]);
  const back = encodeURIComponent(`/invite/${token}`);
  if (!invitation || invitation.status !== "pending") {
    return (
      <AuthCard title="This invitation cannot be used" description={unusableInvitationText(invitation)}>
        <Link className={buttonClass("secondary", "md", "w-full")} href="/signin">Go to sign in</Link>
      </AuthCard>
    );
  }
  if (!session?.user?.id) {
    return (
      <AuthCard title={invitationTitle(invitation)} description="Sign in or create an account to accept the invitation.">
        <InvitationSummary invitation={invitation} />
        <div className="mt-6 flex flex-col gap-3">
          <Link className={buttonClass("primary", "md", "w-full")} href={`/signup?callbackUrl=${back}`}>Create an account</Link>
          <Link className={buttonClass("secondary", "md", "w-full")} href={`/signin?callbackUrl=${back}`}>Sign in</Link>
        </div>
      </AuthCard>
    );
  }
  return (
    <AuthCard title={invitationTitle(invitation)}>
      <InvitationSummary invitation={invitation} />
      <div className="mt-6">
        <AcceptInvite token={token} email={session.user.email ?? "your account"} tenantName={invitation.tenantName} />
      </div>
    </AuthCard>
  );
}
