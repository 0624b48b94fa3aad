// Money and metered quantities as the API gives them: integer cents and decimal strings. Only
// formatting happens here, with string and integer arithmetic, so what the console shows is the
// API's number to the cent (no float ever touches an amount).

const USD_CENTS_PER_DOLLAR = 100;

/** Integer cents as US dollars: 123456 → "$1,234.56", -5 → "-$0.05". Not an integer: "—". */
export function formatCents(cents: number): string {
  if (!Number.isSafeInteger(cents)) return "—";
  const sign = cents < 0 ? "-" : "";
  const abs = Math.abs(cents);
  const dollars = Math.floor(abs / USD_CENTS_PER_DOLLAR);
  const rest = abs % USD_CENTS_PER_DOLLAR;
  return `${sign}$${groupThousands(String(dollars))}.${String(rest).padStart(2, "0")}`;
}

const DECIMAL = /^(-?)(\d+)(?:\.(\d*))?$/;

/** A decimal string for reading: thousands grouped, trailing zeros dropped ("3600.000000" → "3,600"). */
export function formatDecimal(value: string): string {
  const m = DECIMAL.exec(value.trim());
  if (!m) return value;
  const [, sign, int, frac = ""] = m;
  const fraction = frac.replace(/0+$/, "");
  const body = `${groupThousands(stripLeadingZeros(int))}${fraction ? `.${fraction}` : ""}`;
  return body === "0" ? "0" : `${sign}${body}`;
}

/** A unit price in USD as a decimal string, every significant digit kept: "0.000014000000" → "$0.000014". */
export function formatUnitPrice(usd: string): string {
  const m = DECIMAL.exec(usd.trim());
  if (!m) return usd;
  const [, sign, int, frac = ""] = m;
  const fraction = frac.replace(/0+$/, "").padEnd(2, "0");
  return `${sign}$${groupThousands(stripLeadingZeros(int))}.${fraction}`;
}

/**
 * What a person typed as dollars, as the cents the API takes: "" → null (no limit), "12.5" → 1250.
 * Anything else decimal is shifted by two places as it is ("-5" → -500, "1.234" → 123.4) and
 * anything not a number is passed on as typed, so the API's validation says what is wrong.
 */
export function dollarsToCents(input: string): number | string | null {
  const text = input.trim().replace(/^\$/, "").replace(/,/g, "");
  if (text === "") return null;
  const m = /^(-?)(\d*)(?:\.(\d*))?$/.exec(text);
  if (!m || (m[2] === "" && !m[3])) return input.trim();
  const [, sign, int, frac = ""] = m;
  const shifted = `${int || "0"}${frac.slice(0, 2).padEnd(2, "0")}${frac.length > 2 ? `.${frac.slice(2)}` : ""}`;
  return Number(`${sign}${shifted}`);
}

/** Cents as the dollars to prefill an input with: 1250 → "12.50". */
export function centsToDollarsInput(cents: number): string {
  return formatCents(cents).replace(/[$,]/g, "");
}

function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

function stripLeadingZeros(digits: string): string {
  return digits.replace(/^0+(?=\d)/, "");
}
