// Chart axis labels for metered quantities, which span from a few MB-hours (0.0003 GiB-hours) to
// millions of vCPU-seconds: significant digits, not fixed decimals, so small ticks keep their digits.

const SIGNIFICANT_DIGITS = 3;

/**
 * A tick value as people read it: 0 → "0", 0.00125 → "0.00125", 0.5 → "0.5", 12.5 → "12.5",
 * 1500 → "1.5K", 2_000_000 → "2M". Up to 3 significant digits (the axis's "nice" ticks need no more).
 */
export function formatAxisTick(value: number, locale?: string): string {
  if (!Number.isFinite(value)) return "";
  if (value === 0) return "0";
  const notation = Math.abs(value) >= 10_000 ? "compact" : "standard";
  return new Intl.NumberFormat(locale, { notation, maximumSignificantDigits: SIGNIFICANT_DIGITS }).format(value);
}
