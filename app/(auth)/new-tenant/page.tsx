import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { AuthCard } from "@/components/auth/auth-card";
import { NewTenantForm } from "@/components/auth/new-tenant-form";
import { auth } from "@/lib/auth/next-auth";
import { listMyTenants } from "@/lib/tenants";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Create a tenant · Burrow" };

export default async function NewTenantPage() {
  const session = await auth();
  if (!session?.user?.id) redirect("/signin?callbackUrl=%2Fnew-tenant");
  const { data: tenants } = await listMyTenants({ ctx: { userId: session.user.id } });
  return (
    <AuthCard
      title="Create a tenant"
      description="A tenant holds its own API keys, members, sessions and billing. You will be its owner."
      footer={tenants.length > 0 ? <Link className="font-medium text-indigo-600 hover:underline" href={`/t/${tenants[0].slug}`}>Back to {tenants[0].name}</Link> : null}
    >
      <NewTenantForm />
    </AuthCard>
  );
}
