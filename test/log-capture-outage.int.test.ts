// The runner's log batcher through a database restart, against a real Postgres of its own that
// this file stops and starts: lines pushed while it is down are written when it is back, in order;
// once the buffer has been full for maxWaitMs, further lines are dropped and a marker with their
// exact count is written where they are missing. Nothing is lost silently.
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import type { NewLogLine } from "@/lib/logs/append-session-logs";
import { LINE_OVERHEAD_BYTES, LogBatcher } from "@/lib/logs/log-batcher";
import { sessionRowIn } from "./session-rows";
import { useOwnPostgres } from "./own-postgres";

const ownPostgres = useOwnPostgres("burrow-logs-down-");

const text = (i: number) => `line-${String(i).padStart(4, "0")}`; // 9 bytes each
const line = (i: number): NewLogLine => ({ stream: "stdout", source: "exe_outage", at: new Date(), line: text(i) });
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => from + k);

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe("log batcher during a database outage", () => {
  it("writes buffered lines when the database is back, and counts lines it had to drop in a marker", async () => {
    const { id, tenant } = await sessionRowIn("running");
    const target = { tenantId: tenant.id, sessionId: id };
    const perLine = LINE_OVERHEAD_BYTES + 9;
    const batcher = new LogBatcher({
      softCapBytes: 200 * perLine, maxWaitMs: 1_500, flushEveryMs: 20, retryMinMs: 50, retryMaxMs: 400, log: () => {},
    });

    for (const i of range(0, 50)) expect(batcher.push(target, line(i))).toBe(true);
    await batcher.flushNow();
    expect(await db().sessionLogLine.count({ where: { sessionId: id } })).toBe(50);

    await ownPostgres.stop();
    // Below the cap: buffered while every write fails.
    for (const i of range(50, 150)) expect(batcher.push(target, line(i))).toBe(true);
    await until("a failed write", () => batcher.stats().failedWrites > 0);
    // The 200th buffered line fills the buffer: the producer is told to wait.
    const answers = range(150, 250).map((i) => batcher.push(target, line(i)));
    expect(answers.slice(0, -1).every(Boolean)).toBe(true);
    expect(answers.at(-1)).toBe(false);
    const waitStarted = Date.now();
    await batcher.whenWritable();
    expect(Date.now() - waitStarted).toBeGreaterThanOrEqual(1_400);
    expect(batcher.stats()).toMatchObject({ shedding: true, bufferedLines: 200, droppedLines: 0 });
    // Held back for maxWaitMs: from now on, what does not fit is dropped and counted.
    for (const i of range(250, 550)) batcher.push(target, line(i));
    expect(batcher.stats()).toMatchObject({ droppedLines: 300, droppedBytes: 2_700 });

    await ownPostgres.restart();
    await until("the backlog to be written", () => batcher.stats().bufferedLines === 0 && batcher.stats().committedLines > 50);
    expect(batcher.push(target, line(9_999))).toBe(true);
    await batcher.close();

    const rows = await db().sessionLogLine.findMany({ where: { sessionId: id }, orderBy: { seq: "asc" } });
    expect(rows.map((r) => Number(r.seq))).toEqual(range(1, rows.length + 1));
    expect(rows.map((r) => r.line)).toEqual([
      ...range(0, 250).map(text),
      "[burrow] 300 lines (2700 bytes) dropped: database unavailable",
      text(9_999),
    ]);
    expect(rows[250]).toMatchObject({ stream: "system", source: "exe_outage" });
  });
});
