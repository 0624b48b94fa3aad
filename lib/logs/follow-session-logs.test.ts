import { describe, expect, it } from "vitest";
import { MAX_PENDING_BYTES, SseLogStream } from "./follow-session-logs";
import { LogFanout } from "./log-fanout";

describe("SseLogStream", () => {
  it("holds at most the cap (plus the chunk that crossed it) for a client that reads nothing, then fails the stream", async () => {
    const fanout = new LogFanout();
    const stream = new SseLogStream("ten_x", "ses_x", {}, 0, fanout);
    const chunk = new Uint8Array(100 * 1024);
    let peak = 0;
    for (let i = 0; i < 50; i++) {
      stream.write(chunk);
      peak = Math.max(peak, stream.pendingBytes());
    }
    expect(peak).toBeGreaterThan(MAX_PENDING_BYTES - chunk.byteLength);
    expect(peak).toBeLessThanOrEqual(MAX_PENDING_BYTES + chunk.byteLength);
    expect(stream.pendingBytes()).toBe(0);
    expect(fanout.stats.cutLoose).toBe(1);
    await expect(stream.readable.getReader().read()).rejects.toThrow(/too slowly/);
  });

  it("keeps a client that reads as fast as lines come", async () => {
    const fanout = new LogFanout();
    const stream = new SseLogStream("ten_x", "ses_x", {}, 0, fanout);
    const reader = stream.readable.getReader();
    const chunk = new Uint8Array(100 * 1024);
    for (let i = 0; i < 50; i++) {
      stream.write(chunk);
      expect((await reader.read()).value?.byteLength).toBe(chunk.byteLength);
    }
    expect(fanout.stats.cutLoose).toBe(0);
    await reader.cancel();
  });
});
