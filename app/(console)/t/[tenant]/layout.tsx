import { notFound, redirect } from "next/navigation";
import type { ReactNode } from "react";
import { ConsoleProvider } from "@/components/console/console-context";
import { ConsoleShell } from "@/components/console/console-shell";
import { Providers } from "@/components/providers";
import { auth } from "@/lib/auth/next-auth";
import { listMyTenants } from "@/lib/tenants";

export const dynamic = "force-dynamic";

/** Every console page: signed in, and a member of the tenant in the URL (else it does not exist). */
export default async function ConsoleLayout({ children, params }: { children: ReactNode; params: Promise<{ tenant: string }> }) {
  const { tenant: slug } = await params;
  const session = await auth();
  if (!session?.user?.id) redirect(`/signin?callbackUrl=${encodeURIComponent(`/t/${slug}`)}`);
  const { data: tenants } = await listMyTenants({ ctx: { userId: session.user.id } });
  const tenant = tenants.find((t) => t.slug === slug);
  if (!tenant) notFound();
  return (
    <Providers>
      <ConsoleProvider value={{ tenant, tenants, user: { id: session.user.id, email: session.user.email ?? "" } }}>
        <ConsoleShell>{children}</ConsoleShell>
      </ConsoleProvider>
    </Providers>
  );
}
