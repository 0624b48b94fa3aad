import { describe, expect, it } from "vitest";
import { RateLimiter } from "./rate-limit";

describe("RateLimiter", () => {
  it("allows the per-minute budget, then refuses with a retry hint, then refills", () => {
    const limiter = new RateLimiter(60);
    const t0 = 1_000_000;
    for (let i = 0; i < 60; i++) expect(limiter.take("k", t0).allowed).toBe(true);
    const refused = limiter.take("k", t0);
    expect(refused.allowed).toBe(false);
    expect(refused.retryAfterSeconds).toBe(1);
    expect(limiter.take("k", t0 + 1_000).allowed).toBe(true);
    expect(limiter.take("other", t0).allowed).toBe(true);
  });

  it("keeps memory bounded", () => {
    const limiter = new RateLimiter(10, 100);
    for (let i = 0; i < 1_000; i++) limiter.take(`k${i}`, 0);
    expect((limiter as unknown as { buckets: Map<string, unknown> }).buckets.size).toBeLessThanOrEqual(100);
  });
});
