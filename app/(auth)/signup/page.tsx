import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { safeCallbackUrl } from "@/components/api-client";
import { AuthCard } from "@/components/auth/auth-card";
import { SignUpForm } from "@/components/auth/signup-form";
import { auth } from "@/lib/auth/next-auth";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Create an account · Burrow" };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function SignUpPage({ searchParams }: Props) {
  const params = await searchParams;
  const callbackUrl = params.callbackUrl ? safeCallbackUrl(params.callbackUrl, "/") : null;
  const session = await auth();
  if (session?.user?.id) redirect(callbackUrl ?? "/");
  return (
    <AuthCard title="Create your Burrow account" description="An account and a tenant to run your agents' sessions in.">
      <SignUpForm callbackUrl={callbackUrl} />
    </AuthCard>
  );
}
