// Exact money arithmetic on decimal strings: values become BigInt integers at a fixed scale
// (quantities at 6 decimals like usage_hours.quantity, unit prices at 12 like plan_prices), are
// multiplied exactly and rounded once, half up, to whole cents. No floating point anywhere.
export const QUANTITY_SCALE = 6;
export const PRICE_SCALE = 12;

const pow10 = (n: number) => 10n ** BigInt(n);

/** "12.5", "-0.000014", "1.4e-8" → the integer value × 10^scale. More digits than `scale` is an error. */
export function parseDecimal(value: string, scale: number): bigint {
  const match = /^([+-]?)(\d*)(?:\.(\d*))?(?:e([+-]?\d+))?$/i.exec(value.trim());
  if (!match || (match[2] === "" && (match[3] ?? "") === "")) throw new Error(`Not a decimal number: "${value}"`);
  const [, sign, whole, fraction = "", exponent = "0"] = match;
  let digits = (whole + fraction).replace(/^0+(?=\d)/, "");
  let point = fraction.length - Number(exponent); // digits after the decimal point
  // Trailing zeros after the point carry no value; dropping them lets "1.500000000" parse at scale 6.
  while (point > 0 && digits.length > 1 && digits.endsWith("0")) {
    digits = digits.slice(0, -1);
    point -= 1;
  }
  if (point > scale && /[1-9]/.test(digits)) throw new Error(`"${value}" has more than ${scale} decimal places`);
  const scaled = point > scale ? 0n : BigInt(digits || "0") * pow10(scale - point);
  return sign === "-" ? -scaled : scaled;
}

/** The integer `value` / 10^scale as a plain decimal string without trailing zeros ("36000", "0.000014"). */
export function formatDecimal(value: bigint, scale: number): string {
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(scale + 1, "0");
  const whole = digits.slice(0, digits.length - scale);
  const fraction = digits.slice(digits.length - scale).replace(/0+$/, "");
  return `${negative ? "-" : ""}${whole}${fraction ? `.${fraction}` : ""}`;
}

/** n / d rounded to the nearest integer, halves away from zero (half up for the non-negative amounts we bill). */
export function divideRoundHalfUp(n: bigint, d: bigint): bigint {
  if (d <= 0n) throw new Error("divisor must be positive");
  const negative = n < 0n;
  const abs = negative ? -n : n;
  const rounded = (abs * 2n + d) / (2n * d);
  return negative ? -rounded : rounded;
}

/** quantity (scale 6) × unit price in USD (scale 12), in whole cents, rounded once, half up. */
export function amountCents(quantity: bigint, unitPriceUsd: bigint): number {
  const usdAtScale18 = quantity * unitPriceUsd;
  // USD at 10^-18 is cents at 10^-16.
  return Number(divideRoundHalfUp(usdAtScale18, pow10(QUANTITY_SCALE + PRICE_SCALE - 2)));
}

/** Integer cents as dollars for messages people read: 1250 → "$12.50", 123456 → "$1,234.56". */
export function formatUsdCents(cents: number): string {
  const sign = cents < 0 ? "-" : "";
  const abs = Math.abs(Math.trunc(cents));
  const dollars = String(Math.floor(abs / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${sign}$${dollars}.${String(abs % 100).padStart(2, "0")}`;
}
