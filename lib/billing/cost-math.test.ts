import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { billingPeriodOf, isInPeriod } from "./billing-period";
import { forecastUsage, type MeterPrice, priceUsage, reachedThresholds } from "./cost-math";
import { amountCents, divideRoundHalfUp, formatDecimal, parseDecimal } from "./money";

// The free plan as seeded by the billing migration.
const FREE: MeterPrice[] = [
  { meter: "vcpu_seconds", unitPriceUsd: "0.000014", includedQuantity: "36000" },
  { meter: "memory_gib_seconds", unitPriceUsd: "0.0000045", includedQuantity: "72000" },
  { meter: "gpu_seconds", unitPriceUsd: "0.000583", includedQuantity: "0" },
  { meter: "snapshot_gib_hours", unitPriceUsd: "0.00014", includedQuantity: "7200" },
  { meter: "network_egress_gib", unitPriceUsd: "0.09", includedQuantity: "5" },
];

describe("decimal strings", () => {
  it("parse exactly at a scale and format back without trailing zeros", () => {
    expect(parseDecimal("0.000014", 12)).toBe(14_000_000n);
    expect(parseDecimal("36000", 6)).toBe(36_000_000_000n);
    expect(parseDecimal("1.4e-8", 12)).toBe(14_000n);
    expect(parseDecimal("1.500000000", 6)).toBe(1_500_000n);
    expect(parseDecimal("-2.5", 6)).toBe(-2_500_000n);
    expect(formatDecimal(36_000_000_000n, 6)).toBe("36000");
    expect(formatDecimal(14_000_000n, 12)).toBe("0.000014");
    expect(formatDecimal(0n, 6)).toBe("0");
    expect(formatDecimal(-2_500_000n, 6)).toBe("-2.5");
  });

  it("refuse what is not a number or is more precise than the scale", () => {
    for (const bad of ["", "-", "abc", "1.2.3", "1,5"]) expect(() => parseDecimal(bad, 6)).toThrow();
    expect(() => parseDecimal("0.0000001", 6)).toThrow(/decimal places/);
  });

  it("round trip any value at its scale", () => {
    fc.assert(fc.property(fc.bigInt({ min: -(10n ** 24n), max: 10n ** 24n }), fc.integer({ min: 0, max: 12 }), (n, scale) => {
      expect(parseDecimal(formatDecimal(n, scale), scale)).toBe(n);
    }));
  });
});

describe("rounding to cents", () => {
  it("rounds halves up and everything else to the nearest cent", () => {
    expect(divideRoundHalfUp(5n, 10n)).toBe(1n);
    expect(divideRoundHalfUp(4n, 10n)).toBe(0n);
    expect(divideRoundHalfUp(15n, 10n)).toBe(2n);
    expect(divideRoundHalfUp(-15n, 10n)).toBe(-2n);
    // 357.142857 vCPU-s × $0.000014 = $0.004999999998 → 0 cents; 357.142858 → $0.005000000012 → 1 cent.
    expect(amountCents(parseDecimal("357.142857", 6), parseDecimal("0.000014", 12))).toBe(0);
    expect(amountCents(parseDecimal("357.142858", 6), parseDecimal("0.000014", 12))).toBe(1);
    // Exactly half a cent: 1000 units × $0.000005 = $0.005 → 1 cent.
    expect(amountCents(parseDecimal("1000", 6), parseDecimal("0.000005", 12))).toBe(1);
    expect(amountCents(parseDecimal("999.999999", 6), parseDecimal("0.000005", 12))).toBe(0);
  });

  it("equals the exact product rounded half up, for any quantity and price", () => {
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: 10n ** 18n }), fc.bigInt({ min: 0n, max: 10n ** 12n }), (q, p) => {
      const cents = BigInt(amountCents(q, p));
      const exact = q * p; // USD × 10^18 = cents × 10^16
      expect(cents * 10n ** 16n - exact <= 5n * 10n ** 15n).toBe(true);
      expect(exact - cents * 10n ** 16n < 5n * 10n ** 15n).toBe(true);
    }));
  });
});

describe("priceUsage", () => {
  it("bills only what exceeds the included amount, one rounded line per meter, plus the fee", () => {
    const cost = priceUsage({
      usage: { vcpu_seconds: "100000", memory_gib_seconds: "72000", gpu_seconds: "10.5", snapshot_gib_hours: "7300.123456", network_egress_gib: "7.5" },
      prices: FREE, feeCents: 2900, withIncluded: true,
    });
    expect(cost.lines).toEqual([
      // 64000 × 0.000014 = 0.896 USD → 89.6 → 90 cents
      { meter: "vcpu_seconds", quantity: "100000", includedQuantity: "36000", billableQuantity: "64000", unitPriceUsd: "0.000014", amountCents: 90 },
      { meter: "memory_gib_seconds", quantity: "72000", includedQuantity: "72000", billableQuantity: "0", unitPriceUsd: "0.0000045", amountCents: 0 },
      // 10.5 × 0.000583 = 0.0061215 USD → 0.61215 cents → 1 cent
      { meter: "gpu_seconds", quantity: "10.5", includedQuantity: "0", billableQuantity: "10.5", unitPriceUsd: "0.000583", amountCents: 1 },
      // 100.123456 × 0.00014 = 0.01401728384 USD → 1.40 cents → 1 cent
      { meter: "snapshot_gib_hours", quantity: "7300.123456", includedQuantity: "7200", billableQuantity: "100.123456", unitPriceUsd: "0.00014", amountCents: 1 },
      // 2.5 GiB past the 5 included × 0.09 = 0.225 USD → 22.5 cents → 23 cents
      { meter: "network_egress_gib", quantity: "7.5", includedQuantity: "5", billableQuantity: "2.5", unitPriceUsd: "0.09", amountCents: 23 },
    ]);
    expect(cost).toMatchObject({ usageCents: 115, feeCents: 2900, totalCents: 3015 });
  });

  it("costs only the fee with zero usage, and nothing under the included amounts", () => {
    const none = priceUsage({ usage: {}, prices: FREE, feeCents: 0, withIncluded: true });
    expect(none.lines.map((l) => [l.quantity, l.billableQuantity, l.amountCents])).toEqual(Array(5).fill(["0", "0", 0]));
    expect(none.totalCents).toBe(0);
    const under = priceUsage({ usage: { vcpu_seconds: "35999.999999" }, prices: FREE, feeCents: 2900, withIncluded: true });
    expect(under).toMatchObject({ usageCents: 0, totalCents: 2900 });
  });

  it("bills every unit without included amounts (one API key's share)", () => {
    const cost = priceUsage({ usage: { vcpu_seconds: "36000" }, prices: FREE, feeCents: 0, withIncluded: false });
    expect(cost.lines[0]).toMatchObject({ includedQuantity: "0", billableQuantity: "36000", amountCents: 50 }); // $0.504
    expect(cost.totalCents).toBe(50);
  });

  it("adds the rounded lines: the total is never a rounding of the sum", () => {
    // Each line is 0.6 cents: rounded per line, three lines make 3 cents (not round(1.8) = 2).
    const prices: MeterPrice[] = ["vcpu_seconds", "memory_gib_seconds", "gpu_seconds"].map((meter) => ({ meter: meter as MeterPrice["meter"], unitPriceUsd: "0.000006", includedQuantity: "0" }));
    const cost = priceUsage({ usage: { vcpu_seconds: "1000", memory_gib_seconds: "1000", gpu_seconds: "1000" }, prices, feeCents: 0, withIncluded: true });
    expect(cost.lines.map((l) => l.amountCents)).toEqual([1, 1, 1, 0, 0]);
    expect(cost.usageCents).toBe(3);
  });
});

describe("forecast", () => {
  const period = billingPeriodOf(new Date("2026-11-10T00:00:00Z")); // 30 days
  it("extrapolates the rate so far to the end of the period", () => {
    const tenDays = new Date("2026-11-11T00:00:00Z");
    expect(forecastUsage({ vcpu_seconds: "1000", gpu_seconds: "0.000001" }, period, tenDays)).toEqual({
      vcpu_seconds: "3000", memory_gib_seconds: "0", gpu_seconds: "0.000003", snapshot_gib_hours: "0", network_egress_gib: "0",
    });
  });

  it("uses at least an hour as the basis, the usage itself once the period is over, nothing before it", () => {
    const oneMinuteIn = new Date(period.start.getTime() + 60_000);
    expect(forecastUsage({ vcpu_seconds: "10" }, period, oneMinuteIn).vcpu_seconds).toBe("7200"); // 10 per hour × 720 h
    expect(forecastUsage({ vcpu_seconds: "10" }, period, new Date("2027-01-01T00:00:00Z")).vcpu_seconds).toBe("10");
    expect(forecastUsage({ vcpu_seconds: "10" }, period, new Date("2026-10-01T00:00:00Z")).vcpu_seconds).toBe("0");
  });
});

describe("billing periods and thresholds", () => {
  it("are calendar months in UTC", () => {
    expect(billingPeriodOf(new Date("2026-12-31T23:59:59.999Z"))).toEqual({ start: new Date("2026-12-01T00:00:00Z"), end: new Date("2027-01-01T00:00:00Z") });
    expect(billingPeriodOf(new Date("2027-02-01T00:00:00Z"))).toEqual({ start: new Date("2027-02-01T00:00:00Z"), end: new Date("2027-03-01T00:00:00Z") });
    const p = billingPeriodOf(new Date("2026-11-15T12:00:00Z"));
    expect(isInPeriod(p.start, p)).toBe(true);
    expect(isInPeriod(p.end, p)).toBe(false);
  });

  it("reach a threshold at exactly that share of the limit", () => {
    expect(reachedThresholds(499, 1000, [50, 80, 100])).toEqual([]);
    expect(reachedThresholds(500, 1000, [50, 80, 100])).toEqual([50]);
    expect(reachedThresholds(999, 1000, [50, 80, 100])).toEqual([50, 80]);
    expect(reachedThresholds(1000, 1000, [50, 80, 100])).toEqual([50, 80, 100]);
    expect(reachedThresholds(0, 0, [50, 80, 100])).toEqual([50, 80, 100]);
  });
});
