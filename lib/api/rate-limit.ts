// Per-caller token bucket, in process memory. One web process per deployment is the supported
// shape today; with several, each enforces its own share.
export type RateDecision = { allowed: boolean; limit: number; remaining: number; retryAfterSeconds: number };

type Bucket = { tokens: number; updatedAt: number };

export class RateLimiter {
  private buckets = new Map<string, Bucket>();

  constructor(private readonly perMinute: number, private readonly maxBuckets = 100_000) {}

  take(key: string, now = Date.now()): RateDecision {
    const ratePerMs = this.perMinute / 60_000;
    const bucket = this.buckets.get(key) ?? { tokens: this.perMinute, updatedAt: now };
    bucket.tokens = Math.min(this.perMinute, bucket.tokens + (now - bucket.updatedAt) * ratePerMs);
    bucket.updatedAt = now;
    const allowed = bucket.tokens >= 1;
    if (allowed) bucket.tokens -= 1;
    if (!this.buckets.has(key) && this.buckets.size >= this.maxBuckets) this.evictFull(now);
    this.buckets.set(key, bucket);
    return {
      allowed,
      limit: this.perMinute,
      remaining: Math.floor(bucket.tokens),
      retryAfterSeconds: allowed ? 0 : Math.max(1, Math.ceil((1 - bucket.tokens) / ratePerMs / 1000)),
    };
  }

  /** Buckets that have refilled completely carry no information; drop them to bound memory. */
  private evictFull(now: number) {
    for (const [key, b] of this.buckets) {
      if (b.tokens + (now - b.updatedAt) * (this.perMinute / 60_000) >= this.perMinute) this.buckets.delete(key);
    }
    if (this.buckets.size >= this.maxBuckets) this.buckets.clear();
  }
}
