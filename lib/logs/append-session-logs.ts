// The one way log lines reach the database, for every writer (the runner's capture, OTLP logs,
// platform markers): a batch of one session's lines gets a contiguous range of that session's
// sequence numbers, is inserted with one statement, and is announced with one NOTIFY, all in one
// transaction. Readers therefore see a session's lines in sequence order without gaps, and a
// listener woken by the NOTIFY finds the lines already committed.
import { db } from "../db/client";
import { LOG_LINE_CHARGE_BYTES } from "./log-limiter";

export const LOG_CHANNEL = "burrow_logs";

export type LogStream = "stdout" | "stderr" | "system";

export type NewLogLine = {
  stream: LogStream;
  /** An exec id, "main", "otlp" or "platform". */
  source: string;
  at: Date;
  line: string;
};

/** What a NOTIFY on LOG_CHANNEL carries (JSON): the session and the range just committed. */
export type LogNotice = { tenantId: string; sessionId: string; firstSeq: number; lastSeq: number };

/** Postgres refuses NUL in text; the rest of the line is kept. */
const NUL = /\u0000/g;

/**
 * Appends `lines` to the session's log and returns the sequence range they got. The session row
 * must exist (the sequence counter lives on it); an unknown session appends nothing and returns null.
 */
export async function appendSessionLogs(
  tenantId: string,
  sessionId: string,
  lines: NewLogLine[],
): Promise<{ firstSeq: number; lastSeq: number } | null> {
  if (lines.length === 0) return null;
  const n = lines.length;
  const texts = lines.map((l) => l.line.replace(NUL, "\uFFFD"));
  // What the session's log limits count (log-limiter.ts): bytes plus a row's cost per line.
  const charged = texts.reduce((sum, t) => sum + Buffer.byteLength(t) + LOG_LINE_CHARGE_BYTES, 0);
  // One statement (so one round trip, and its own transaction): reserve the range on the session
  // row, insert the batch from arrays, and NOTIFY; data-modifying CTEs run even when unreferenced.
  const rows = await db().$queryRaw<{ last_seq: bigint }[]>`
    WITH reserved AS (
      UPDATE sessions SET log_seq = log_seq + ${n}, log_bytes = log_bytes + ${charged}::bigint
      WHERE id = ${sessionId} AND tenant_id = ${tenantId}
      RETURNING log_seq
    ), inserted AS (
      INSERT INTO session_logs (session_id, seq, tenant_id, stream, source, at, line)
      SELECT ${sessionId}, reserved.log_seq - ${n} + t.ord, ${tenantId}, t.stream, t.source, t.at, t.line
      FROM reserved, unnest(${lines.map((l) => l.stream)}::text[], ${lines.map((l) => l.source)}::text[],
                            ${lines.map((l) => l.at)}::timestamptz[], ${texts}::text[])
                     WITH ORDINALITY AS t(stream, source, at, line, ord)
    )
    SELECT reserved.log_seq AS last_seq
    FROM reserved, LATERAL (SELECT pg_notify(${LOG_CHANNEL}, json_build_object(
      'tenantId', ${tenantId}::text, 'sessionId', ${sessionId}::text,
      'firstSeq', reserved.log_seq - ${n} + 1, 'lastSeq', reserved.log_seq)::text)) AS notified`;
  if (rows.length === 0) return null;
  const lastSeq = Number(rows[0].last_seq);
  return { firstSeq: lastSeq - n + 1, lastSeq };
}
