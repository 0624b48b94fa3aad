import { redirect } from "next/navigation";
import { auth } from "@/lib/auth/next-auth";
import { listMyTenants } from "@/lib/tenants";

export const dynamic = "force-dynamic";

export default async function Home() {
  const session = await auth();
  if (!session?.user?.id) redirect("/signin");
  const { data } = await listMyTenants({ ctx: { userId: session.user.id } });
  redirect(data.length ? `/t/${data[0].slug}` : "/new-tenant");
}
