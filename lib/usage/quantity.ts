// Exact usage quantities. usage_hours.quantity has 6 decimal places, so a quantity is held as a
// BigInt count of micro-units (10^-6 of the meter's unit). A meter's rate is an exact rational
// "units per millisecond" (e.g. 0.25 vCPU → 1/4000 vCPU-seconds per ms); no floating point.

export const QUANTITY_DECIMALS = 6;
const MICRO = 10n ** BigInt(QUANTITY_DECIMALS);

/** Units of a meter per millisecond, num/den exactly (den > 0). */
export type Rate = { num: bigint; den: bigint };

/**
 * The exact value of a JS number as written in its shortest decimal form ("0.1" is 1/10, not the
 * binary double nearest to it): vCPU counts are stored as double precision but meant as decimals.
 */
export function rationalOf(value: number): Rate {
  if (!Number.isFinite(value) || value < 0) throw new Error(`not a non-negative finite number: ${value}`);
  const match = /^(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(value));
  if (!match) throw new Error(`cannot read ${value} as a decimal`);
  const [, whole, fraction = "", exponent = "0"] = match;
  const shift = Number(exponent) - fraction.length;
  const digits = BigInt(whole + fraction);
  return shift >= 0 ? { num: digits * 10n ** BigInt(shift), den: 1n } : { num: digits, den: 10n ** BigInt(-shift) };
}

/** rate × ms in micro-units, rounded half up (the value is never negative). */
export function microUnits(rate: Rate, ms: bigint): bigint {
  const num = rate.num * ms * MICRO;
  return (num * 2n + rate.den) / (2n * rate.den);
}

/** Whether rate × ms is exactly a whole number of micro-units (no rounding happened). */
export function isExactMicro(rate: Rate, ms: bigint): boolean {
  return (rate.num * ms * MICRO) % rate.den === 0n;
}

/** Micro-units as a plain decimal string without trailing zeros: 1500000n → "1.5", 0n → "0". */
export function formatQuantity(micro: bigint): string {
  const negative = micro < 0n;
  const digits = (negative ? -micro : micro).toString().padStart(QUANTITY_DECIMALS + 1, "0");
  const whole = digits.slice(0, -QUANTITY_DECIMALS);
  const fraction = digits.slice(-QUANTITY_DECIMALS).replace(/0+$/, "");
  return `${negative ? "-" : ""}${whole}${fraction ? `.${fraction}` : ""}`;
}

/** A decimal string with at most 6 decimal places (as Postgres prints numeric(24,6)) → micro-units. */
export function parseQuantity(text: string): bigint {
  const match = /^(-?)(\d+)(?:\.(\d{0,6}))?$/.exec(text.trim());
  if (!match) throw new Error(`not a quantity with at most ${QUANTITY_DECIMALS} decimals: "${text}"`);
  const [, sign, whole, fraction = ""] = match;
  const micro = BigInt(whole) * MICRO + BigInt(fraction.padEnd(QUANTITY_DECIMALS, "0"));
  return sign ? -micro : micro;
}
