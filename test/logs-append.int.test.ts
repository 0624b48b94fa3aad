// appendSessionLogs: the single writer path for log lines (sequence numbers, one NOTIFY a batch).
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { databaseUrlOrThrow } from "@/lib/env";
import { appendSessionLogs, LOG_CHANNEL, type LogNotice, type NewLogLine } from "@/lib/logs/append-session-logs";
import { sessionRowIn } from "./session-rows";

const line = (text: string, stream: NewLogLine["stream"] = "stdout"): NewLogLine => ({ stream, source: "test", at: new Date(), line: text });

describe("appendSessionLogs", () => {
  const notices: LogNotice[] = [];
  const listener = new pg.Client({ connectionString: databaseUrlOrThrow() });
  beforeAll(async () => {
    await listener.connect();
    listener.on("notification", (n) => notices.push(JSON.parse(n.payload!)));
    await listener.query(`LISTEN ${LOG_CHANNEL}`);
  });
  afterAll(() => listener.end());

  it("gives concurrent batches contiguous, unique sequence numbers and one notice each", async () => {
    const { id, tenant } = await sessionRowIn("running");
    const batches = Array.from({ length: 20 }, (_, b) => Array.from({ length: 1 + (b % 7) }, (_, i) => line(`b${b} l${i}`)));
    const ranges = await Promise.all(batches.map((batch) => appendSessionLogs(tenant.id, id, batch)));
    const total = batches.reduce((n, b) => n + b.length, 0);
    const rows = await db().sessionLogLine.findMany({ where: { sessionId: id }, orderBy: { seq: "asc" } });
    expect(rows.map((r) => Number(r.seq))).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    // Each batch's lines are contiguous and in their order.
    batches.forEach((batch, b) => {
      const range = ranges[b]!;
      expect(range.lastSeq - range.firstSeq + 1).toBe(batch.length);
      const got = rows.filter((r) => Number(r.seq) >= range.firstSeq && Number(r.seq) <= range.lastSeq).map((r) => r.line);
      expect(got).toEqual(batch.map((l) => l.line));
    });
    await expect.poll(() => notices.filter((n) => n.sessionId === id).length, { timeout: 5000 }).toBe(20);
    expect(notices.find((n) => n.sessionId === id)).toMatchObject({ tenantId: tenant.id });
  });

  it("keeps a line with a NUL byte (replaced) and appends nothing for another tenant's session", async () => {
    const { id, tenant } = await sessionRowIn("running");
    const other = await sessionRowIn("running");
    expect(await appendSessionLogs(tenant.id, id, [line("a\u0000b", "stderr")])).toEqual({ firstSeq: 1, lastSeq: 1 });
    expect((await db().sessionLogLine.findFirstOrThrow({ where: { sessionId: id } })).line).toBe("a\uFFFDb");
    expect(await appendSessionLogs(other.tenant.id, id, [line("x")])).toBeNull();
    expect(await db().sessionLogLine.count({ where: { sessionId: id } })).toBe(1);
  });
});
