// A billing period is a calendar month in UTC: [first instant of the month, first of the next).
import type { BillingPeriod } from "./cost-math";

export function billingPeriodOf(date: Date): BillingPeriod {
  const start = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1));
  const end = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1));
  return { start, end };
}

/** Whether `at` falls in `period` (start inclusive, end exclusive). */
export function isInPeriod(at: Date, period: BillingPeriod): boolean {
  return at.getTime() >= period.start.getTime() && at.getTime() < period.end.getTime();
}
