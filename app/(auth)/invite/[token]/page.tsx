import type { Metadata } from "next";
import Link from "next/link";
import { AcceptInvite } from "@/components/auth/accept-invite";
import { AuthCard } from "@/components/auth/auth-card";
import { buttonClass } from "@/components/ui/button";
import { auth } from "@/lib/auth/next-auth";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Invitation · Burrow" };

export default async function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const session = await auth();
  const back = encodeURIComponent(`/invite/${token}`);
  if (!session?.user?.id) {
    return (
      <AuthCard title="You're invited to a tenant on Burrow" description="Sign in or create an account to accept the invitation.">
        <div className="flex flex-col gap-3">
          <Link className={buttonClass("primary", "md", "w-full")} href={`/signup?callbackUrl=${back}`}>Create an account</Link>
          <Link className={buttonClass("secondary", "md", "w-full")} href={`/signin?callbackUrl=${back}`}>Sign in</Link>
        </div>
      </AuthCard>
    );
  }
  return (
    <AuthCard title="Join a tenant on Burrow" description="Someone shared an invitation link with you.">
      <AcceptInvite token={token} email={session.user.email ?? "your account"} />
    </AuthCard>
  );
}
