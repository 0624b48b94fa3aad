// The exec capture against a batcher whose database write is held (an in-memory sink): what
// back-pressure does to the lines.
import { afterEach, describe, expect, it, vi } from "vitest";
import type { NewLogLine } from "./append-session-logs";
import { captureExecLogs } from "./exec-log-capture";
import { LogBatcher } from "./log-batcher";

afterEach(() => {
  vi.useRealTimers();
});

describe("captureExecLogs", () => {
  it("does not split a line whose end waits in the pipe while the batcher holds the stream back", async () => {
    vi.useFakeTimers();
    const written: NewLogLine[] = [];
    let openGate!: () => void;
    const gate = new Promise<void>((r) => (openGate = r));
    const batcher = new LogBatcher({
      softCapBytes: 1_000,
      hardCapBytes: 100_000, // a whole pipe read fits: nothing dropped
      write: async (_tenantId, _sessionId, lines) => {
        await gate; // a slow database
        written.push(...lines);
        return { firstSeq: 1, lastSeq: lines.length };
      },
      log: () => {},
    });
    const capture = captureExecLogs(batcher, { tenantId: "ten_1", sessionId: "ses_1" }, { execId: "exe_1", command: ["python3"] });
    const line = (i: number) => `${String(i).padStart(6, "0")} ${"x".repeat(92)}`;
    // A pipe read that fills the buffer and ends in the middle of line 20.
    const all = Buffer.from(Array.from({ length: 40 }, (_, i) => `${line(i)}\n`).join(""));
    const cut = 20 * 100 + 37;
    const hold = capture.onOutput("stdout", all.subarray(0, cut));
    expect(hold).toBeInstanceOf(Promise);
    // The database stays slow for a second: far past the framer's idle flush (250 ms).
    await vi.advanceTimersByTimeAsync(1_000);
    openGate();
    await hold;
    void capture.onOutput("stdout", all.subarray(cut));
    capture.finish({ exitCode: 0, durationMs: 5, timedOut: false });
    const closed = batcher.close(5_000);
    await vi.advanceTimersByTimeAsync(1_000);
    await closed;
    const stdout = written.filter((l) => l.stream === "stdout").map((l) => l.line);
    expect(stdout).toEqual(Array.from({ length: 40 }, (_, i) => line(i)));
  });
});
