import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { safeCallbackUrl } from "@/components/api-client";
import { AuthCard } from "@/components/auth/auth-card";
import { SignInForm } from "@/components/auth/signin-form";
import { auth, githubEnabled } from "@/lib/auth/next-auth";
import { signInLimits } from "@/lib/auth/sign-in-throttle";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Sign in · Burrow" };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function SignInPage({ searchParams }: Props) {
  const params = await searchParams;
  const callbackUrl = safeCallbackUrl(params.callbackUrl, "/");
  const session = await auth();
  if (session?.user?.id) redirect(callbackUrl);
  const error = typeof params.error === "string" ? params.error : undefined;
  const errorCode = typeof params.code === "string" ? params.code : undefined;
  return (
    <AuthCard title="Sign in to Burrow" description="The control plane for your agents' sandboxes.">
      <SignInForm githubEnabled={githubEnabled} callbackUrl={callbackUrl} initialError={error} initialErrorCode={errorCode} throttleMinutes={Math.ceil(signInLimits().windowMs / 60_000)} />
    </AuthCard>
  );
}
