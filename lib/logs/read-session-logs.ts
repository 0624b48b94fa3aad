// Reading a session's log by sequence number: JSON pages for the API, and the row reads that the
// text download, the SSE backlog and the live fan-out share. Always through the tenant's handle.
import { notFound } from "../api/errors";
import type { TenantContext } from "../auth/context";
import type { Prisma } from "../db/generated/client";
import type { TenantDb, TenantTx } from "../db/tenant-scope";
import type { LogFilter, LogLineView, LogQuery } from "./schemas";
import { filterOf } from "./schemas";

type Handle = TenantDb | TenantTx | TenantContext["db"];

export type LogRow = { seq: bigint; stream: string; source: string; at: Date; line: string };

export function toLogLine(row: LogRow): LogLineView {
  return { seq: Number(row.seq), stream: row.stream as LogLineView["stream"], source: row.source, at: row.at.toISOString(), line: row.line };
}

/** LIKE treats % and _ as wildcards and \ as the escape; a search is for the literal text. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * The session's last sequence number (every line up to it is committed and visible: a batch can
 * only reserve its range after the previous batch's transaction released the session row).
 * Another tenant's session, or none, is 404.
 */
export async function getLogHeadOrThrow(handle: Handle, sessionId: string): Promise<number> {
  const session = await handle.session.findFirst({ where: { id: sessionId }, select: { logSeq: true } });
  if (!session) throw notFound("Session");
  return Number(session.logSeq);
}

export function logWhere(sessionId: string, afterSeq: number, filter: LogFilter, upToSeq?: number): Prisma.SessionLogLineWhereInput {
  return {
    sessionId,
    seq: { gt: BigInt(afterSeq), ...(upToSeq !== undefined ? { lte: BigInt(upToSeq) } : {}) },
    ...(filter.streams ? { stream: { in: [...filter.streams] } } : {}),
    ...(filter.q ? { line: { contains: escapeLike(filter.q), mode: "insensitive" as const } } : {}),
    ...(filter.from || filter.to ? { at: { ...(filter.from ? { gte: filter.from } : {}), ...(filter.to ? { lte: filter.to } : {}) } } : {}),
  };
}

/** Up to `limit` lines after `afterSeq` (and at most `upToSeq`) matching `filter`, in sequence order. */
export async function readLogRows(
  handle: Handle,
  sessionId: string,
  opts: { afterSeq: number; limit: number; filter?: LogFilter; upToSeq?: number },
): Promise<LogRow[]> {
  return handle.sessionLogLine.findMany({
    where: logWhere(sessionId, opts.afterSeq, opts.filter ?? {}, opts.upToSeq),
    orderBy: { seq: "asc" },
    take: opts.limit,
    select: { seq: true, stream: true, source: true, at: true, line: true },
  });
}

/** Where a read starts: Last-Event-ID (a reconnecting SSE client), then afterSeq/cursor, then tail, else the start. */
export function startSeqOf(query: LogQuery, head: number, lastEventId?: number): number {
  if (lastEventId !== undefined) return lastEventId;
  if (query.afterSeq !== undefined) return query.afterSeq;
  if (query.cursor !== undefined) return Number(query.cursor);
  if (query.tail !== undefined) return Math.max(0, head - query.tail);
  return 0;
}

export async function readSessionLogs({ ctx, input }: { ctx: TenantContext; input: { sessionId: string; query: LogQuery } }) {
  const { sessionId, query } = input;
  const head = await getLogHeadOrThrow(ctx.db, sessionId);
  const rows = await readLogRows(ctx.db, sessionId, { afterSeq: startSeqOf(query, head), limit: query.limit + 1, filter: filterOf(query) });
  const hasMore = rows.length > query.limit;
  const page = hasMore ? rows.slice(0, query.limit) : rows;
  return { data: page.map(toLogLine), nextCursor: hasMore ? String(page[page.length - 1].seq) : null };
}
