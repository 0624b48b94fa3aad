// The one way log lines reach the database, for every writer (the runner's capture, OTLP logs,
// platform markers): a batch of one session's lines gets a contiguous range of that session's
// sequence numbers, is inserted with one statement, and is announced with one NOTIFY, all in one
// transaction. Readers therefore see a session's lines in sequence order without gaps, and a
// listener woken by the NOTIFY finds the lines already committed.
import { db } from "../db/client";

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
  return db().$transaction(async (tx) => {
    const reserved = await tx.$queryRaw<{ log_seq: bigint }[]>`
      UPDATE sessions SET log_seq = log_seq + ${lines.length}
      WHERE id = ${sessionId} AND tenant_id = ${tenantId}
      RETURNING log_seq`;
    if (reserved.length === 0) return null;
    const lastSeq = Number(reserved[0].log_seq);
    const firstSeq = lastSeq - lines.length + 1;
    // One INSERT … SELECT FROM unnest(…) for the whole batch: a single round trip and plan.
    await tx.$executeRaw`
      INSERT INTO session_logs (session_id, seq, tenant_id, stream, source, at, line)
      SELECT ${sessionId}, ${firstSeq}::bigint + ord - 1, ${tenantId}, stream, source, at, line
      FROM unnest(${lines.map((l) => l.stream)}::text[], ${lines.map((l) => l.source)}::text[],
                  ${lines.map((l) => l.at)}::timestamptz[], ${lines.map((l) => l.line.replace(NUL, "\uFFFD"))}::text[])
           WITH ORDINALITY AS t(stream, source, at, line, ord)`;
    const notice: LogNotice = { tenantId, sessionId, firstSeq, lastSeq };
    await tx.$executeRaw`SELECT pg_notify(${LOG_CHANNEL}, ${JSON.stringify(notice)})`;
    return { firstSeq, lastSeq };
  });
}
