// What the billing summary says needs attention this period, as sentences for the console: the
// spend limit reached, and budget alerts (the tenant's and each API key's highest threshold).
import type { BillingSummary } from "./billing-types";
import { formatCents } from "./money";

export type BillingNotice = { id: string; tone: "red" | "amber"; text: string };

/** What the summary says needs attention this period: the spend limit reached, budget alerts. */
export function billingNotices(summary: BillingSummary): BillingNotice[] {
  const notices: BillingNotice[] = [];
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
      text: `Budget alert: this period's usage reached ${tenantTop}% of the monthly spend limit.` });
  }
  const keyTops = new Map<string, number>();
  for (const a of current) if (a.scope !== "tenant") keyTops.set(a.scope, Math.max(keyTops.get(a.scope) ?? 0, a.threshold));
  for (const [keyId, threshold] of keyTops) {
    notices.push({ id: `key-${keyId}`, tone: threshold >= 100 ? "red" : "amber",
      text: `Budget alert: API key ${keyId} reached ${threshold}% of its spend limit${threshold >= 100 ? "; its new sessions are refused" : ""}.` });
  }
  return notices;
}
