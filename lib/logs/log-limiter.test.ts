// The per-session log limits: the token bucket, the total cap, and the batcher's exact markers.
import { describe, expect, it } from "vitest";
import type { NewLogLine } from "./append-session-logs";
import { dropMarkerText, LogBatcher } from "./log-batcher";
import { LOG_LINE_CHARGE_BYTES, SessionLogLimiter, rateLimitReason, totalLimitReason } from "./log-limiter";

const limits = { bytesPerSecond: 100_000, maxBytes: 10_000_000 };

describe("SessionLogLimiter", () => {
  it("lets ten seconds of the rate through at once, then refills at the rate", () => {
    const limiter = new SessionLogLimiter(limits, 0, 0);
    const charge = 936 + LOG_LINE_CHARGE_BYTES; // 1000 per line
    let kept = 0;
    while (limiter.admit(936, 0) === null) kept++;
    expect(kept).toBe(1_000);
    // Throttled: nothing until the bucket is half full again (5 s), then a stretch of lines.
    expect(limiter.admit(936, 4_999)).toBe(rateLimitReason(limits));
    expect(limiter.admit(936, 5_001)).toBeNull();
    expect(limiter.usedBytes).toBe(1_001 * charge);
  });

  it("drops everything past the total, counting what the log held before", () => {
    const limiter = new SessionLogLimiter({ bytesPerSecond: 10_000_000, maxBytes: 10_000 }, 9_000, 0);
    expect(limiter.admit(936, 0)).toBeNull();
    expect(limiter.admit(0, 0)).toBe(totalLimitReason({ bytesPerSecond: 10_000_000, maxBytes: 10_000 }));
  });
});

describe("LogBatcher with session limits", () => {
  it("keeps a session's output within its total and marks exactly what it dropped, once", async () => {
    const written: NewLogLine[] = [];
    const batcher = new LogBatcher({ write: async (_t, _s, lines) => (written.push(...lines), { firstSeq: 1, lastSeq: lines.length }), log: () => {} });
    const target = { tenantId: "ten_1", sessionId: "ses_1" };
    const total = { bytesPerSecond: 10_000_000, maxBytes: 50_000 };
    batcher.setLimits(target, total, 0);
    const at = new Date();
    batcher.push(target, { stream: "system", source: "exe_1", at, line: "$ flood" });
    for (let i = 0; i < 1_000; i++) batcher.push(target, { stream: "stdout", source: "exe_1", at, line: "x".repeat(436) });
    batcher.push(target, { stream: "system", source: "exe_1", at, line: "exit 0 in 5 ms" });
    await batcher.close();
    const kept = written.filter((l) => l.stream === "stdout");
    expect(kept).toHaveLength(100); // 50,000 / (436 + 64)
    expect(written.map((l) => l.line).filter((l) => l.startsWith("[burrow]"))).toEqual([dropMarkerText(900, 900 * 436, totalLimitReason(total))]);
    expect(written.at(-1)?.line).toBe("exit 0 in 5 ms");
    expect(written.at(-2)?.stream).toBe("system");
  });

  it("marks a stretch of rate drops once the drops pause, without waiting for another line", async () => {
    const written: NewLogLine[] = [];
    const batcher = new LogBatcher({ write: async (_t, _s, lines) => (written.push(...lines), { firstSeq: 1, lastSeq: lines.length }), markerQuietMs: 30, log: () => {} });
    const target = { tenantId: "ten_1", sessionId: "ses_3" };
    const rate = { bytesPerSecond: 10_000, maxBytes: 10_000_000 }; // a bucket of 10 s: 100,000 bytes
    batcher.setLimits(target, rate, 0);
    for (let i = 0; i < 500; i++) batcher.push(target, { stream: "stderr", source: "main", at: new Date(), line: "z".repeat(936) });
    for (let i = 0; i < 100 && !written.some((l) => l.stream === "system"); i++) await new Promise((r) => setTimeout(r, 10));
    const kept = written.filter((l) => l.stream === "stderr").length;
    expect(kept).toBe(100);
    expect(written.filter((l) => l.stream === "system").map((l) => l.line)).toEqual([dropMarkerText(500 - kept, (500 - kept) * 936, rateLimitReason(rate))]);
    await batcher.close();
  });

  it("leaves sessions without limits alone", async () => {
    const written: NewLogLine[] = [];
    const batcher = new LogBatcher({ write: async (_t, _s, lines) => (written.push(...lines), { firstSeq: 1, lastSeq: lines.length }), log: () => {} });
    const target = { tenantId: "ten_1", sessionId: "ses_2" };
    for (let i = 0; i < 1_000; i++) batcher.push(target, { stream: "stdout", source: "main", at: new Date(), line: "y".repeat(436) });
    await batcher.close();
    expect(written).toHaveLength(1_000);
  });
});
