"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { useConsole } from "../console/console-context";
import type { BillingSummary } from "./billing-types";
import { billingNotices } from "./billing-notice-text";
import { useBillingSummary, useCanReadBilling } from "./use-billing";

const TONES = { red: "bg-red-50 text-red-800 ring-red-200", amber: "bg-amber-50 text-amber-900 ring-amber-200" };

/** The notices in full, at the top of the billing page. */
export function BillingNotices({ summary }: { summary: BillingSummary }) {
  const notices = billingNotices(summary);
  if (notices.length === 0) return null;
  return (
    <div className="mb-6 space-y-2" data-testid="billing-notices">
      {notices.map((n) => (
        <p key={n.id} role="alert" data-testid="billing-notice" className={`rounded-md px-4 py-3 text-sm ring-1 ring-inset ${TONES[n.tone]}`}>{n.text}</p>
      ))}
    </div>
  );
}

/** A one-line banner on every other console page, linking to billing. */
export function BillingBanner() {
  const canRead = useCanReadBilling();
  const { tenant } = useConsole();
  const pathname = usePathname();
  const href = `/t/${tenant.slug}/billing`;
  const onBillingPage = pathname === href;
  const summary = useBillingSummary({ enabled: canRead });
  if (!canRead || onBillingPage || !summary.data) return null;
  const notices = billingNotices(summary.data);
  if (notices.length === 0) return null;
  const tone = notices.some((n) => n.tone === "red") ? "red" : "amber";
  const headline = summary.data.spendLimitReached ? "Spend limit reached: new sessions are refused." : notices[0].text;
  return (
    <div role="status" data-testid="billing-banner" className={`mb-4 flex flex-wrap items-center justify-between gap-2 rounded-md px-4 py-2 text-sm ring-1 ring-inset ${TONES[tone]}`}>
      <span>{headline}{notices.length > 1 ? ` (+${notices.length - 1} more)` : ""}</span>
      <Link href={href} className="font-medium underline">View billing</Link>
    </div>
  );
}
