import Link from "next/link";
import { AuthCard } from "@/components/auth/auth-card";
import { buttonClass } from "@/components/ui/button";

export default function NotFound() {
  return (
    <AuthCard title="Not found" description="This page does not exist, or it belongs to a tenant you are not a member of.">
      <Link href="/" className={buttonClass("primary", "md", "w-full")}>Go to your console</Link>
    </AuthCard>
  );
}
