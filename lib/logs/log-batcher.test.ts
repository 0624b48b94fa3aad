// The batcher's rules against an in-memory sink standing in for appendSessionLogs (the real
// database path, including an outage, is in test/log-capture-outage.int.test.ts).
import { describe, expect, it, vi } from "vitest";
import type { NewLogLine } from "./append-session-logs";
import { LINE_OVERHEAD_BYTES, LogBatcher, type LogBatcherOptions } from "./log-batcher";

type Write = { sessionId: string; lines: NewLogLine[] };

function sink() {
  const writes: Write[] = [];
  let down: Error | null = null;
  let gate: Promise<void> | null = null;
  return {
    writes,
    linesOf: (sessionId: string) => writes.filter((w) => w.sessionId === sessionId).flatMap((w) => w.lines.map((l) => l.line)),
    setDown: (e: Error | null) => (down = e),
    hold: () => {
      let open!: () => void;
      gate = new Promise((r) => (open = r));
      return () => {
        gate = null;
        open();
      };
    },
    write: (async (_tenantId, sessionId, lines) => {
      if (gate) await gate;
      if (down) throw down;
      writes.push({ sessionId, lines });
      return { firstSeq: 1, lastSeq: lines.length };
    }) satisfies LogBatcherOptions["write"],
  };
}

const line = (text: string, source = "exe_1"): NewLogLine => ({ stream: "stdout", source, at: new Date(), line: text });
const target = (sessionId: string) => ({ tenantId: "ten_1", sessionId });
const refused = () => Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" });
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("LogBatcher", () => {
  it("writes each session's lines in order with one write per session per flush", async () => {
    const s = sink();
    const b = new LogBatcher({ write: s.write, flushEveryMs: 20 });
    for (let i = 0; i < 100; i++) b.push(target(i % 2 ? "ses_a" : "ses_b"), line(`l${i}`));
    await b.close();
    expect(s.writes.map((w) => w.sessionId).sort()).toEqual(["ses_a", "ses_b"]);
    expect(s.linesOf("ses_a")).toEqual(Array.from({ length: 50 }, (_, i) => `l${2 * i + 1}`));
    expect(b.stats()).toMatchObject({ committedLines: 100, droppedLines: 0, bufferedLines: 0 });
  });

  it("splits a large backlog into batches of at most maxBatchLines", async () => {
    const s = sink();
    const b = new LogBatcher({ write: s.write, maxBatchLines: 300 });
    for (let i = 0; i < 1000; i++) b.push(target("ses_a"), line(`l${i}`));
    await b.close();
    expect(s.writes.map((w) => w.lines.length)).toEqual([300, 300, 300, 100]);
    expect(s.linesOf("ses_a")).toEqual(Array.from({ length: 1000 }, (_, i) => `l${i}`));
  });

  it("holds producers back when the buffer is full, and lets them go when a flush frees room", async () => {
    const s = sink();
    const cap = 10 * (LINE_OVERHEAD_BYTES + 2);
    const b = new LogBatcher({ write: s.write, softCapBytes: cap, flushEveryMs: 5 });
    const open = s.hold();
    const answers = Array.from({ length: 10 }, (_, i) => b.push(target("ses_a"), line(`l${i}`)));
    expect(answers.slice(0, 9).every(Boolean)).toBe(true);
    expect(answers[9]).toBe(false);
    let released = false;
    const waiting = b.whenWritable().then(() => (released = true));
    // A negative check: ten flush periods in which a wrongly released waiter would have resolved.
    await wait(50);
    expect(released).toBe(false);
    open();
    await waiting;
    await b.close();
    expect(s.linesOf("ses_a")).toHaveLength(10);
  });

  it("keeps lines while the database is down and writes them, in order, when it is back", async () => {
    const s = sink();
    const b = new LogBatcher({ write: s.write, flushEveryMs: 5, retryMinMs: 5, retryMaxMs: 20 });
    s.setDown(refused());
    for (let i = 0; i < 50; i++) {
      b.push(target("ses_a"), line(`l${i}`));
      if (i % 10 === 0) await wait(15); // lines arriving over time, not a check
    }
    await vi.waitFor(() => expect(b.stats().failedWrites).toBeGreaterThan(0), { timeout: 5_000, interval: 5 });
    expect(s.writes).toHaveLength(0);
    s.setDown(null);
    await b.close();
    expect(s.linesOf("ses_a")).toEqual(Array.from({ length: 50 }, (_, i) => `l${i}`));
    expect(b.stats().droppedLines).toBe(0);
  });

  it("after maxWaitMs of a full buffer drops lines instead, with a marker of the exact count where they are missing", async () => {
    const s = sink();
    const perLine = LINE_OVERHEAD_BYTES + 2;
    const b = new LogBatcher({ write: s.write, softCapBytes: 5 * perLine, maxWaitMs: 40, flushEveryMs: 5, retryMinMs: 5, retryMaxMs: 10 });
    s.setDown(refused());
    for (let i = 0; i < 5; i++) b.push(target("ses_a"), line(`k${i}`));
    const waited = Date.now();
    await b.whenWritable();
    expect(Date.now() - waited).toBeGreaterThanOrEqual(35);
    // Shedding: these do not fit and are counted, not buffered; the producer is not held back.
    for (let i = 0; i < 7; i++) expect(b.push(target("ses_a"), { ...line(`d${i}`), bytes: 10 })).toBe(true);
    s.setDown(null);
    await b.flushNow();
    b.push(target("ses_a"), line("after"));
    await b.close();
    expect(s.linesOf("ses_a")).toEqual(["k0", "k1", "k2", "k3", "k4", "[burrow] 7 lines (70 bytes) dropped: database unavailable", "after"]);
    const marker = s.writes.flatMap((w) => w.lines).find((l) => l.stream === "system");
    expect(marker).toMatchObject({ source: "exe_1" });
    expect(b.stats()).toMatchObject({ droppedLines: 7, droppedBytes: 70 });
  });

  it("drops past the hard cap even from a producer that does not wait, and says so", async () => {
    const s = sink();
    const perLine = LINE_OVERHEAD_BYTES + 2;
    const b = new LogBatcher({ write: s.write, softCapBytes: 4 * perLine, hardCapBytes: 6 * perLine, flushEveryMs: 5 });
    const open = s.hold();
    for (let i = 0; i < 10; i++) b.push(target("ses_a"), line(`l${i}`));
    open();
    await b.close();
    expect(s.linesOf("ses_a")).toEqual(["l0", "l1", "l2", "l3", "l4", "l5", "[burrow] 4 lines (8 bytes) dropped: log buffer full (database too slow)"]);
  });

  it("gives up a batch the database keeps refusing (not an outage) and leaves a marker in its place", async () => {
    const s = sink();
    const logged: string[] = [];
    const b = new LogBatcher({ write: s.write, flushEveryMs: 5, retryMinMs: 5, maxBatchFailures: 3, log: (m) => logged.push(m) });
    s.setDown(new Error("invalid input syntax"));
    b.push(target("ses_a"), line("bad"));
    for (let i = 0; i < 50 && b.stats().failedWrites < 3; i++) await wait(10);
    s.setDown(null);
    await b.close();
    expect(s.linesOf("ses_a")).toEqual(["[burrow] 1 line (3 bytes) dropped: write failed: invalid input syntax"]);
    expect(logged.join("\n")).toMatch(/giving up a batch of 1 lines/);
  });
});
