import { describe, expect, it } from "vitest";
import { MAX_PENDING_BYTES, SseLogStream } from "./follow-session-logs";
import type { LogFanout } from "./log-fanout";

/** The fan-out's side of a stream, without a database. */
function fakeFanout() {
  const joined = new Set<unknown>();
  return {
    joined,
    stats: { cutLoose: 0 },
    register() {},
    join: (s: unknown) => void joined.add(s),
    leave: (s: unknown) => void joined.delete(s),
  };
}

function liveStream() {
  const fanout = fakeFanout();
  const stream = new SseLogStream("ten_x", "ses_x", {}, 0, fanout as unknown as LogFanout);
  stream.goLive();
  return { fanout, stream };
}

describe("SseLogStream", () => {
  it("never holds more than the cap for a client that reads nothing: it fails the stream and leaves the fan-out", async () => {
    const { fanout, stream } = liveStream();
    const chunk = new Uint8Array(100 * 1024);
    let peak = 0;
    for (let i = 0; i < 50; i++) {
      stream.write(chunk);
      peak = Math.max(peak, stream.pendingBytes());
    }
    expect(peak).toBeGreaterThan(MAX_PENDING_BYTES - chunk.byteLength);
    expect(peak).toBeLessThanOrEqual(MAX_PENDING_BYTES);
    expect(stream.pendingBytes()).toBe(0);
    expect(fanout.stats.cutLoose).toBe(1);
    expect(fanout.joined.size).toBe(0);
    await expect(stream.readable.getReader().read()).rejects.toThrow(/too slowly/);
  });

  it("keeps a client that reads as fast as lines come, even a batch larger than the cap", async () => {
    const { fanout, stream } = liveStream();
    const reader = stream.readable.getReader();
    for (const size of [100 * 1024, 3 * MAX_PENDING_BYTES, 100 * 1024]) {
      stream.write(new Uint8Array(size));
      expect((await reader.read()).value?.byteLength).toBe(size);
    }
    expect(fanout.stats.cutLoose).toBe(0);
    expect(fanout.joined.size).toBe(1);
    await reader.cancel();
    expect(fanout.joined.size).toBe(0);
  });
});
