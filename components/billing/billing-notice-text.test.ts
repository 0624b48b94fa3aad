import { describe, expect, it } from "vitest";
import type { BillingSummary } from "./billing-types";
import { billingNotices } from "./billing-notice-text";

const PERIOD = { start: "2026-11-01T00:00:00.000Z", end: "2026-12-01T00:00:00.000Z" };

function summary(over: Partial<BillingSummary>): BillingSummary {
  return {
    mode: "local", charged: false, plan: { id: "free", name: "Free", monthlyFeeCents: 0 }, period: PERIOD, lines: [],
    usageCents: 0, feeCents: 0, totalCents: 0, forecastCents: 0, spendCents: 0, spendLimitCents: null, spendLimitReached: false,
    alerts: [], quotas: [], subscriptionStatus: null, ...over,
  };
}
const alert = (scope: string, threshold: number, createdAt = "2026-11-10T12:00:00.000Z") => ({ scope, threshold, createdAt });

describe("billingNotices", () => {
  it("says nothing when no limit is reached and no alert was recorded", () => {
    expect(billingNotices(summary({ spendLimitCents: 10_000, spendCents: 4_999 }))).toEqual([]);
  });

  it("names the spend counted and the limit, to the cent, when the limit is reached", () => {
    const [notice, ...rest] = billingNotices(summary({ spendLimitCents: 5_000, spendCents: 5_001, spendLimitReached: true, alerts: [alert("tenant", 100)] }));
    expect(rest).toEqual([]); // the 100 % alert says the same thing
    expect(notice.tone).toBe("red");
    expect(notice.text).toContain("Spend limit reached: $50.01 of $50.00");
  });

  it("shows the highest tenant threshold of this period only", () => {
    const notices = billingNotices(summary({
      spendLimitCents: 10_000,
      alerts: [alert("tenant", 50, "2026-10-30T00:00:00.000Z"), alert("tenant", 80, "2026-10-31T00:00:00.000Z"), alert("tenant", 50)],
    }));
    expect(notices.map((n) => [n.tone, n.text])).toEqual([["amber", "Budget alert: this period's usage reached 50% of the monthly spend limit."]]);
  });

  it("keeps a 100 % alert when the limit was raised since", () => {
    const notices = billingNotices(summary({ spendLimitCents: 20_000, alerts: [alert("tenant", 50), alert("tenant", 80), alert("tenant", 100)] }));
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({ tone: "red", text: expect.stringContaining("reached 100%") });
  });

  it("gives each API key its own notice at its highest threshold", () => {
    const notices = billingNotices(summary({ alerts: [alert("key_a", 50), alert("key_b", 100), alert("key_a", 80)] }));
    expect(notices.map((n) => n.id)).toEqual(["key-key_a", "key-key_b"]);
    expect(notices[0]).toMatchObject({ tone: "amber", text: "Budget alert: API key key_a reached 80% of its spend limit." });
    expect(notices[1].text).toContain("its new sessions are refused");
  });
});
