import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { centsToDollarsInput, dollarsToCents, formatCents, formatDecimal, formatUnitPrice } from "./money";

describe("formatCents", () => {
  it("formats integer cents as dollars with grouped thousands", () => {
    expect(formatCents(0)).toBe("$0.00");
    expect(formatCents(5)).toBe("$0.05");
    expect(formatCents(99)).toBe("$0.99");
    expect(formatCents(100)).toBe("$1.00");
    expect(formatCents(2900)).toBe("$29.00");
    expect(formatCents(123456)).toBe("$1,234.56");
    expect(formatCents(100000000)).toBe("$1,000,000.00");
    expect(formatCents(-5)).toBe("-$0.05");
    expect(formatCents(-123456)).toBe("-$1,234.56");
  });

  it("refuses what is not a whole number of cents", () => {
    expect(formatCents(1.5)).toBe("—");
    expect(formatCents(Number.NaN)).toBe("—");
    expect(formatCents(2 ** 60)).toBe("—");
  });

  it("keeps every cent: the digits read back are the number given", () => {
    fc.assert(
      fc.property(fc.integer({ min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }), (cents) => {
        const text = formatCents(cents);
        expect(text).toMatch(/^-?\$\d{1,3}(,\d{3})*\.\d{2}$/);
        expect(BigInt(text.replace(/[$,.]/g, ""))).toBe(BigInt(cents));
      }),
    );
  });
});

describe("formatDecimal", () => {
  it("groups thousands and drops trailing zeros without rounding", () => {
    expect(formatDecimal("3600.000000")).toBe("3,600");
    expect(formatDecimal("12.345600")).toBe("12.3456");
    expect(formatDecimal("0.000001")).toBe("0.000001");
    expect(formatDecimal("1234567.5")).toBe("1,234,567.5");
    expect(formatDecimal("0")).toBe("0");
    expect(formatDecimal("-0.000")).toBe("0");
    expect(formatDecimal("-42.10")).toBe("-42.1");
    expect(formatDecimal("not a number")).toBe("not a number");
  });
});

describe("formatUnitPrice", () => {
  it("keeps every significant digit and at least cents", () => {
    expect(formatUnitPrice("0.000014000000")).toBe("$0.000014");
    expect(formatUnitPrice("0.5")).toBe("$0.50");
    expect(formatUnitPrice("1200")).toBe("$1,200.00");
  });
});

describe("dollarsToCents", () => {
  it("turns dollars into exact cents", () => {
    expect(dollarsToCents("")).toBeNull();
    expect(dollarsToCents("  ")).toBeNull();
    expect(dollarsToCents("12")).toBe(1200);
    expect(dollarsToCents("12.5")).toBe(1250);
    expect(dollarsToCents("$1,234.56")).toBe(123456);
    expect(dollarsToCents("0.07")).toBe(7);
    expect(dollarsToCents(".1")).toBe(10);
    // 0.1 + 0.2 style float error would give 30.000000000000004 here.
    expect(dollarsToCents("0.30")).toBe(30);
  });

  it("passes on what the API must judge: negatives, fractions of a cent, words", () => {
    expect(dollarsToCents("-5")).toBe(-500);
    expect(dollarsToCents("1.234")).toBe(123.4);
    expect(dollarsToCents("ten")).toBe("ten");
    expect(dollarsToCents("-")).toBe("-");
  });

  it("round-trips with centsToDollarsInput", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 ** 12 }), (cents) => {
        expect(dollarsToCents(centsToDollarsInput(cents))).toBe(cents);
      }),
    );
  });
});
