import { describe, expect, it, vi } from "vitest";
import type { SpanRow } from "./span-row";
import { SpanWriter } from "./span-writer";

const row = (n: number): SpanRow => ({
  tenantId: "ten_1", traceId: "a".repeat(32), spanId: n.toString(16).padStart(16, "0"), parentSpanId: null, sessionId: null, name: `s${n}`,
  kind: "internal", source: "platform", serviceName: null, startNs: 1n, endNs: 2n, statusCode: "unset", statusMessage: null,
  attributes: {}, events: [], resource: {},
});

describe("SpanWriter", () => {
  it("writes in batches on the timer and when a batch fills", async () => {
    const batches: number[] = [];
    const writer = new SpanWriter({ insert: async (rows) => void batches.push(rows.length), flushEveryMs: 20, batchSize: 3 });
    for (let i = 1; i <= 7; i++) writer.record(row(i));
    // The timer's flush, polled (bounded) rather than slept for.
    await vi.waitFor(() => expect(batches.reduce((a, b) => a + b, 0)).toBe(7), { timeout: 5_000, interval: 10 });
    expect(Math.max(...batches)).toBeLessThanOrEqual(3);
    await writer.close();
  });

  it("keeps spans across a failed insert, and is bounded", async () => {
    let fail = true;
    const written: SpanRow[] = [];
    const logs: string[] = [];
    const writer = new SpanWriter({
      insert: async (rows) => {
        if (fail) throw new Error("database down");
        written.push(...rows);
      },
      flushEveryMs: 10_000, batchSize: 10, maxBuffered: 5, log: (m) => logs.push(m),
    });
    for (let i = 1; i <= 8; i++) writer.record(row(i));
    expect(writer.pending).toBe(5);
    await writer.flush();
    expect(writer.pending).toBe(5);
    fail = false;
    await writer.close();
    expect(written.map((r) => r.name)).toEqual(["s4", "s5", "s6", "s7", "s8"]);
    expect(writer.droppedCount).toBe(3);
    expect(logs.some((l) => l.includes("dropped"))).toBe(true);
  });
});
