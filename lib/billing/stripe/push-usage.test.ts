import { describe, expect, it } from "vitest";
import { parsePlanStripePrices } from "./plan-prices";
import { meterValue, retryDelaySeconds, usagePushIdentifier } from "./push-usage";

describe("usage push helpers", () => {
  it("derives one stable identifier per tenant, meter and hour, within Stripe's 100 characters", () => {
    const hour = new Date("2026-11-23T13:00:00.000Z");
    const id = usagePushIdentifier("ten_01KAVW3Z7E0000000000000000", "memory_gib_seconds", hour);
    expect(id).toBe("burrow_ten_01KAVW3Z7E0000000000000000_memory_gib_seconds_2026-11-23T13:00:00Z");
    expect(usagePushIdentifier("ten_01KAVW3Z7E0000000000000000", "memory_gib_seconds", new Date(hour))).toBe(id);
    expect(id.length).toBeLessThanOrEqual(100);
  });

  it("backs off 30 s doubling to at most an hour", () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 20].map(retryDelaySeconds)).toEqual([30, 60, 120, 240, 480, 960, 1920, 3600, 3600]);
    expect(retryDelaySeconds(0)).toBe(30);
  });

  it("sends quantities as exact decimals without trailing zeros", () => {
    expect(meterValue("3600.000000")).toBe("3600");
    expect(meterValue("0.500000")).toBe("0.5");
    expect(meterValue("123.456789")).toBe("123.456789");
    expect(meterValue("100")).toBe("100");
    expect(meterValue("0.000000")).toBe("0");
  });
});

describe("plans.stripe_price_id", () => {
  it("is the plan's price, then optional metered prices", () => {
    expect(parsePlanStripePrices(null)).toBeNull();
    expect(parsePlanStripePrices(" , ")).toBeNull();
    expect(parsePlanStripePrices("price_pro")).toEqual({ planPrice: "price_pro", meteredPrices: [] });
    expect(parsePlanStripePrices("price_pro, price_vcpu,price_mem")).toEqual({ planPrice: "price_pro", meteredPrices: ["price_vcpu", "price_mem"] });
  });
});
