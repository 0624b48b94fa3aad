// The per-session log limits of a tenant's plan (plans.log_bytes_per_second, plans.log_max_bytes),
// applied to output lines before they are queued for the database. Each line is charged its bytes
// plus LOG_LINE_CHARGE_BYTES, so a flood of empty lines costs rows, not nothing.
//
// - Rate: a token bucket holding BURST_SECONDS of the rate (so a build's burst of output is kept
//   whole; at least two longest lines). Once it runs dry, lines are dropped until it is half full again, so a writer that keeps over the rate gets
//   stretches of lines and stretches of drops (each stretch one marker), not a marker per line.
// - Total: past maxBytes for the session, every further output line is dropped.
// The platform's own lines (stream "system": "$ command", "exit …", drop markers) are never limited.
import { DEFAULT_MAX_LINE_BYTES } from "./line-framer";

export type LogLimits = { bytesPerSecond: number; maxBytes: number };

/** What a line costs beyond its text: about what a session_logs row costs besides it. */
export const LOG_LINE_CHARGE_BYTES = 64;

export const BURST_SECONDS = 10;
const MIN_BUCKET_BYTES = 2 * (DEFAULT_MAX_LINE_BYTES + LOG_LINE_CHARGE_BYTES);

export function rateLimitReason(limits: LogLimits): string {
  return `session log rate limit (${limits.bytesPerSecond} bytes/s)`;
}

export function totalLimitReason(limits: LogLimits): string {
  return `session log size limit (${limits.maxBytes} bytes per session)`;
}

export class SessionLogLimiter {
  private tokens: number;
  private refilledAt: number;
  private throttled = false;

  constructor(
    private limits: LogLimits,
    /** Charged so far (the session's log_bytes when this runner took it over, then counted here). */
    public usedBytes: number,
    now: number,
  ) {
    this.tokens = this.capacity();
    this.refilledAt = now;
  }

  /** New limits (a plan change); the count so far is kept, or raised to what the database knows. */
  update(limits: LogLimits, usedBytes: number) {
    this.limits = limits;
    this.usedBytes = Math.max(this.usedBytes, usedBytes);
    this.tokens = Math.min(this.tokens, this.capacity());
  }

  /** Null when a line of `bytes` may be written (and charges it); else why it is dropped. */
  admit(bytes: number, now: number): string | null {
    const charge = bytes + LOG_LINE_CHARGE_BYTES;
    if (this.usedBytes + charge > this.limits.maxBytes) return totalLimitReason(this.limits);
    const capacity = this.capacity();
    this.tokens = Math.min(capacity, this.tokens + (Math.max(0, now - this.refilledAt) / 1000) * this.limits.bytesPerSecond);
    this.refilledAt = now;
    if (this.throttled && this.tokens < capacity / 2) return rateLimitReason(this.limits);
    this.throttled = false;
    if (this.tokens < charge) {
      this.throttled = true;
      return rateLimitReason(this.limits);
    }
    this.tokens -= charge;
    this.usedBytes += charge;
    return null;
  }

  private capacity(): number {
    return Math.max(this.limits.bytesPerSecond * BURST_SECONDS, MIN_BUCKET_BYTES);
  }
}
