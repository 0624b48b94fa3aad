// The sessions list's computed columns, as pure functions: how long a session has lasted and what
// it has cost, as people read them.
import { formatCents, formatUnitPrice } from "../billing/money";

/** Seconds from creation to termination, or to `now` while it lasts. */
export function sessionDurationSeconds(s: { createdAt: string; terminatedAt: string | null }, now = Date.now()): number {
  const end = s.terminatedAt ? Date.parse(s.terminatedAt) : now;
  return Math.max(0, (end - Date.parse(s.createdAt)) / 1000);
}

const USD = /^(\d+)(?:\.(\d{0,6}))?$/;

/**
 * A cost in US dollars (the API's decimal string, up to 6 decimals): a cent or more rounds half up
 * to cents ("$1.24"); less than a cent keeps its digits ("$0.0012"), so a cheap session is not "$0.00".
 */
export function formatUsdAmount(usd: string): string {
  const m = USD.exec(usd.trim());
  if (!m) return usd;
  const micros = BigInt(m[1]) * 1_000_000n + BigInt((m[2] ?? "").padEnd(6, "0"));
  if (micros === 0n) return "$0.00";
  if (micros < 10_000n) return formatUnitPrice(usd);
  return formatCents(Number((micros + 5_000n) / 10_000n));
}
