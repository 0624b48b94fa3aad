// Back-pressure from the log batcher into a real sandbox process: with a small buffer and a slow
// database (the real appendSessionLogs, delayed), a process printing 2 MB at full speed is held
// on its pipe instead of growing memory or dropping lines — every line arrives, in order.
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { appendSessionLogs } from "@/lib/logs/append-session-logs";
import { captureExecLogs } from "@/lib/logs/exec-log-capture";
import { LogBatcher } from "@/lib/logs/log-batcher";
import { useSandboxes } from "./sandbox/sandbox-harness";
import { sessionRowIn } from "./session-rows";

const sandboxes = useSandboxes();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("log capture back-pressure", () => {
  it("holds a fast writer back while the database is slow, and loses nothing", async () => {
    const { id: sessionId, tenant } = await sessionRowIn("running");
    const { id: sandboxId } = await sandboxes.start();
    let peakBytes = 0;
    const batcher = new LogBatcher({
      softCapBytes: 300_000,
      write: async (tenantId, sid, lines) => {
        await sleep(30); // a slow database
        return appendSessionLogs(tenantId, sid, lines);
      },
      log: () => {},
    });
    const capture = captureExecLogs(batcher, { tenantId: tenant.id, sessionId }, { execId: "exe_backpressure", command: ["python3"] });
    const sample = setInterval(() => (peakBytes = Math.max(peakBytes, batcher.stats().bufferedBytes)), 5);
    // 20,000 lines of 100 bytes ("000001 xxx…") written as fast as python can.
    const result = await sandboxes.backend.exec(
      sandboxId,
      { command: ["python3", "-c", "import sys\nfor i in range(20000): sys.stdout.write('%06d %s\\n' % (i, 'x' * 92))"], timeoutMs: 60_000 },
      capture.onOutput,
    );
    capture.finish(result);
    await batcher.close(30_000);
    clearInterval(sample);

    expect(result.exitCode).toBe(0);
    expect(batcher.stats()).toMatchObject({ droppedLines: 0, bufferedLines: 0 });
    expect(batcher.stats().heldBack).toBeGreaterThan(0);
    // Bounded: the soft cap plus what a read or two of the pipe brings (64 KiB of output each, about
    // 130 KB of buffer); the whole output would take about 3.9 MB.
    expect(peakBytes).toBeLessThan(600_000);
    const rows = await db().sessionLogLine.findMany({ where: { sessionId, stream: "stdout" }, orderBy: { seq: "asc" }, select: { seq: true, line: true } });
    const expected = Array.from({ length: 20_000 }, (_, i) => `${String(i).padStart(6, "0")} ${"x".repeat(92)}`);
    // On a failure, say which: a line stored twice, a line split in two rows, or one missing.
    expect(firstMismatch(rows, expected)).toBeNull();
    expect(rows).toHaveLength(20_000);
  });
});

/** Null when the rows are the expected lines; otherwise the first difference, and what it looks like. */
function firstMismatch(rows: { seq: bigint | number; line: string }[], expected: string[]): string | null {
  const at = (i: number) => (i < rows.length ? `seq ${rows[i].seq} ${JSON.stringify(rows[i].line.slice(0, 24))}… (${rows[i].line.length} chars)` : "none");
  for (let i = 0; i < Math.max(rows.length, expected.length); i++) {
    if (rows[i]?.line === expected[i]) continue;
    const got = rows[i]?.line;
    const n = got === undefined ? -1 : expected.indexOf(got);
    const kind =
      got === undefined ? "MISSING: lines lacking at the end"
      : expected[i]?.startsWith(got) && expected[i] === got + (rows[i + 1]?.line ?? "") ? "SPLIT: the line is in two rows"
      : n >= 0 && n < i ? `DUPLICATE: line ${n} stored again`
      : n > i ? `MISSING: lines ${i} to ${n - 1} skipped`
      : "different text";
    return `${rows.length} rows; first mismatch at row ${i}: ${kind}; expected ${JSON.stringify(expected[i]?.slice(0, 24))}…, got ${at(i)}, then ${at(i + 1)}`;
  }
  return null;
}
