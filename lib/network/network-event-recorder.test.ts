import { describe, expect, it } from "vitest";
import type { DroppedRow, NetworkEventRecord } from "./network-event";
import { BURST_SECONDS, createNetworkEventRecorder } from "./network-event-recorder";

const event = (sessionId: string): NetworkEventRecord => ({ sessionId, atMs: 0, kind: "connection", verdict: "denied", rule: "egress", entry: null, destination: "203.0.113.9", port: 80, protocol: "tcp" });

describe("flight recorder limits", () => {
  it("keeps a burst, drops past the rate until the bucket is half full again, and counts the drops per session", async () => {
    let t = 1_000_000;
    const written: { events: NetworkEventRecord[]; dropped: DroppedRow[] }[] = [];
    const rec = createNetworkEventRecorder({ perSecond: 10, log: () => {}, now: () => t, write: async (events, dropped) => void written.push({ events, dropped }) });
    for (let i = 0; i < 150; i++) rec.record(event("ses_a"));
    rec.record(event("ses_b"));
    await rec.flush();
    expect(written[0].events.filter((e) => e.sessionId === "ses_a")).toHaveLength(10 * BURST_SECONDS);
    expect(written[0].events.filter((e) => e.sessionId === "ses_b")).toHaveLength(1); // another session is not held back
    expect(written[0].dropped).toEqual([{ sessionId: "ses_a", atMs: 1_000_000, count: 50 }]);
    // One second later: 10 tokens, but the bucket is not half full, so still dropped.
    t += 1000;
    rec.record(event("ses_a"));
    // Six seconds on: 60 tokens, past half: admitted again.
    t += 5000;
    rec.record(event("ses_a"));
    await rec.flush();
    expect(written[1].events).toHaveLength(1);
    expect(written[1].dropped).toEqual([{ sessionId: "ses_a", atMs: 1_001_000, count: 1 }]);
    await rec.close();
  });
});
