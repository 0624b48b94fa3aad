import { Badge } from "../ui/badge";
import type { BillingSummary } from "./billing-types";

/** Whether the amounts are charged through Stripe or only estimated by Burrow. */
export function ModeBadge({ summary }: { summary: Pick<BillingSummary, "mode" | "charged" | "subscriptionStatus"> }) {
  if (summary.mode === "local") {
    return <span data-testid="billing-mode"><Badge tone="amber">Local billing: estimates only, not charged</Badge></span>;
  }
  return (
    <span data-testid="billing-mode" className="inline-flex gap-1">
      <Badge tone="green">Billed through Stripe</Badge>
      {summary.subscriptionStatus && <Badge tone={summary.subscriptionStatus === "active" ? "neutral" : "amber"}>subscription {summary.subscriptionStatus}</Badge>}
    </span>
  );
}
