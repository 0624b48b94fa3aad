"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { useConsole } from "../console/console-context";
import type { BillingSummary } from "./billing-types";
import { formatCents } from "./money";
import { useBillingSummary, useCanReadBilling } from "./use-billing";

type Notice = { id: string; tone: "red" | "amber"; text: string };

/** What the summary says needs attention this period: the spend limit reached, budget alerts. */
export function billingNotices(summary: BillingSummary): Notice[] {
  const notices: Notice[] = [];
  const limit = summary.spendLimitCents === null ? "" : ` of ${formatCents(summary.spendLimitCents)}`;
  if (summary.spendLimitReached) {
    notices.push({ id: "limit", tone: "red",
      text: `Spend limit reached: ${formatCents(summary.spendCents)}${limit} of usage this period. New sessions are refused and running ones are hibernated until the next period or a higher limit.` });
  }
  const periodStart = Date.parse(summary.period.start);
  const current = summary.alerts.filter((a) => Date.parse(a.createdAt) >= periodStart);
  const tenantTop = Math.max(0, ...current.filter((a) => a.scope === "tenant").map((a) => a.threshold));
  if (tenantTop > 0 && !(summary.spendLimitReached && tenantTop >= 100)) {
    notices.push({ id: "tenant", tone: tenantTop >= 100 ? "red" : "amber",
      text: `Budget alert: this period's usage has reached ${tenantTop}% of the monthly spend limit${limit}.` });
  }
  const keyTops = new Map<string, number>();
  for (const a of current) if (a.scope !== "tenant") keyTops.set(a.scope, Math.max(keyTops.get(a.scope) ?? 0, a.threshold));
  for (const [keyId, threshold] of keyTops) {
    notices.push({ id: `key-${keyId}`, tone: threshold >= 100 ? "red" : "amber",
      text: `Budget alert: API key ${keyId} has reached ${threshold}% of its spend limit${threshold >= 100 ? "; its new sessions are refused" : ""}.` });
  }
  return notices;
}

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
