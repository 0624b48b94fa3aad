// The price book applied to usage, as pure functions (no database), so the money math is tested
// on its own. Quantities and prices are decimal strings; amounts are integer cents.
import { METERS, type Meter } from "../usage/meters";
import { amountCents, divideRoundHalfUp, formatDecimal, parseDecimal, PRICE_SCALE, QUANTITY_SCALE } from "./money";

export type MeterPrice = { meter: Meter; unitPriceUsd: string; includedQuantity: string };

export type CostLine = {
  meter: Meter;
  quantity: string;
  includedQuantity: string;
  billableQuantity: string;
  unitPriceUsd: string;
  amountCents: number;
};

export type PeriodCost = { lines: CostLine[]; usageCents: number; feeCents: number; totalCents: number };

export type BillingPeriod = { start: Date; end: Date };

/**
 * One line per meter: billable = max(0, quantity − included), amount = billable × unit price,
 * rounded half up to a whole cent once per line; the total adds the whole-cent lines and the fee.
 * `withIncluded: false` (the cost of one API key's sessions) bills every unit: the included
 * amounts belong to the tenant as a whole, not to any one key.
 */
export function priceUsage(input: {
  usage: Partial<Record<Meter, string>>;
  prices: readonly MeterPrice[];
  feeCents: number;
  withIncluded: boolean;
}): PeriodCost {
  const lines = METERS.map((meter): CostLine => {
    const price = input.prices.find((p) => p.meter === meter);
    const quantity = parseDecimal(input.usage[meter] ?? "0", QUANTITY_SCALE);
    const included = input.withIncluded && price ? parseDecimal(price.includedQuantity, QUANTITY_SCALE) : 0n;
    const billable = quantity > included ? quantity - included : 0n;
    const unitPrice = price ? parseDecimal(price.unitPriceUsd, PRICE_SCALE) : 0n;
    return {
      meter,
      quantity: formatDecimal(quantity, QUANTITY_SCALE),
      includedQuantity: formatDecimal(included, QUANTITY_SCALE),
      billableQuantity: formatDecimal(billable, QUANTITY_SCALE),
      unitPriceUsd: formatDecimal(unitPrice, PRICE_SCALE),
      amountCents: amountCents(billable, unitPrice),
    };
  });
  const usageCents = lines.reduce((sum, line) => sum + line.amountCents, 0);
  return { lines, usageCents, feeCents: input.feeCents, totalCents: usageCents + input.feeCents };
}

/** Shortest span extrapolated from: an hour of usage just after the period starts says little. */
export const MIN_FORECAST_BASIS_MS = 60 * 60 * 1000;

/**
 * Usage at the end of the period if it goes on at the average rate so far: quantity × period
 * length ÷ time elapsed (at least MIN_FORECAST_BASIS_MS), rounded half up at 6 decimals. A period
 * that has ended forecasts what it used; one that has not begun forecasts nothing.
 */
export function forecastUsage(usage: Partial<Record<Meter, string>>, period: BillingPeriod, now: Date): Record<Meter, string> {
  const length = BigInt(period.end.getTime() - period.start.getTime());
  const elapsedMs = Math.min(period.end.getTime(), now.getTime()) - period.start.getTime();
  const basis = BigInt(Math.max(elapsedMs, MIN_FORECAST_BASIS_MS));
  const out = {} as Record<Meter, string>;
  for (const meter of METERS) {
    const quantity = parseDecimal(usage[meter] ?? "0", QUANTITY_SCALE);
    const forecast = elapsedMs <= 0 ? 0n : elapsedMs >= Number(length) ? quantity : divideRoundHalfUp(quantity * length, basis);
    out[meter] = formatDecimal(forecast, QUANTITY_SCALE);
  }
  return out;
}

/** Which of the thresholds (in percent of the limit) the spend has reached: spend × 100 ≥ threshold × limit. */
export function reachedThresholds(spendCents: number, limitCents: number, thresholds: readonly number[]): number[] {
  return thresholds.filter((t) => BigInt(spendCents) * 100n >= BigInt(t) * BigInt(limitCents));
}
