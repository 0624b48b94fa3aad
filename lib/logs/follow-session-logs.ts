// GET /api/v1/sessions/{id}/logs as server-sent events: the backlog from the database after the
// client's position (Last-Event-ID, afterSeq/cursor or tail), then live lines from the process's
// fan-out, each as `id: <seq>` + JSON. Auth and the session check happen before the stream opens.
//
// Memory per client is bounded: the backlog is read a page at a time and only when the client has
// taken the previous one; live lines are queued without waiting, and a client whose unread bytes
// would pass maxPendingBytes is cut loose (it reconnects with Last-Event-ID and misses nothing).
import { AppError } from "../api/errors";
import type { TenantContext } from "../auth/context";
import { formatEvent, formatJsonEvent } from "../api/sse";
import type { TenantDb, TenantTx } from "../db/tenant-scope";
import { logEvent, parseLastEventId } from "./log-events";
import { logFanout, type LogFanout, type LogSubscriber } from "./log-fanout";
import { getLogHeadOrThrow, readLogRows, startSeqOf } from "./read-session-logs";
import { filterOf, type LogFilter, type LogQuery } from "./schemas";

const HIGH_WATER_MARK = 64 * 1024;
export const MAX_PENDING_BYTES = 1024 * 1024;
const BACKLOG_PAGE = 500;
/** Tells EventSource how long to wait before it reconnects; also makes the server send headers at once. */
const RETRY_MS = 2000;

const encoder = new TextEncoder();

export class SseLogStream implements LogSubscriber {
  readonly readable: ReadableStream<Uint8Array>;
  lastSeq: number;
  private controller!: ReadableStreamDefaultController<Uint8Array>;
  private closed = false;
  private live = false;
  private roomWaiter: (() => void) | null = null;

  constructor(
    readonly tenantId: string,
    readonly sessionId: string,
    readonly filter: LogFilter,
    startSeq: number,
    private readonly fanout: LogFanout,
    private readonly maxPendingBytes = MAX_PENDING_BYTES,
  ) {
    this.lastSeq = startSeq;
    this.readable = new ReadableStream<Uint8Array>(
      {
        start: (c) => {
          this.controller = c;
        },
        pull: () => this.wake(),
        cancel: () => this.close(),
      },
      new ByteLengthQueuingStrategy({ highWaterMark: HIGH_WATER_MARK }),
    );
  }

  /** Bytes queued for the client and not yet taken by the server's socket. */
  pendingBytes(): number {
    return this.closed ? 0 : HIGH_WATER_MARK - (this.controller.desiredSize ?? HIGH_WATER_MARK);
  }

  /**
   * Queues bytes for the client. Live, a write that would take the client's unread bytes past the
   * cap cuts it loose instead (one batch larger than the cap still goes to a client that has read
   * everything before it). During the backlog only heartbeats come here; the backlog itself waits
   * for the client.
   */
  write(chunk: Uint8Array): void {
    if (this.closed) return;
    const pending = this.pendingBytes();
    if (this.live && pending > 0 && pending + chunk.byteLength > this.maxPendingBytes) return this.cutLoose();
    this.controller.enqueue(chunk);
  }

  /** Sends the backlog up to `head`, then hands the stream to the fan-out. */
  async run(db: TenantDb | TenantTx, head: number): Promise<void> {
    this.fanout.register(this);
    this.controller.enqueue(encoder.encode(formatEvent({ retry: RETRY_MS })));
    try {
      while (!this.closed && this.lastSeq < head) {
        const rows = await readLogRows(db, this.sessionId, { afterSeq: this.lastSeq, upToSeq: head, limit: BACKLOG_PAGE, filter: this.filter });
        if (this.closed) return;
        if (rows.length > 0) this.controller.enqueue(encoder.encode(rows.map(logEvent).join("")));
        if (rows.length < BACKLOG_PAGE) break;
        this.lastSeq = Number(rows[rows.length - 1].seq);
        await this.room();
      }
      if (this.closed) return;
      this.lastSeq = Math.max(this.lastSeq, head);
      this.goLive();
    } catch (err) {
      if (this.closed) return;
      const message = err instanceof AppError ? err.message : "Reading the log failed; reconnect to resume";
      this.controller.enqueue(encoder.encode(formatJsonEvent("error", { error: { code: "unavailable", message } })));
      this.closed = true;
      this.fanout.leave(this);
      this.controller.close();
    }
  }

  /** From here on lines come from the fan-out, as they are committed. */
  goLive(): void {
    this.live = true;
    this.fanout.join(this);
  }

  private room(): Promise<void> {
    if (this.closed || (this.controller.desiredSize ?? 0) > 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.roomWaiter = resolve;
    });
  }

  private wake(): void {
    const waiter = this.roomWaiter;
    this.roomWaiter = null;
    waiter?.();
  }

  private cutLoose(): void {
    this.fanout.stats.cutLoose += 1;
    this.close();
    // Drops the queued bytes at once; the server closes the connection. AbortError: Next.js treats
    // it as a client gone away rather than a server failure.
    const reason = new Error(`The client read too slowly (over ${this.maxPendingBytes} bytes unread); reconnect with Last-Event-ID`);
    reason.name = "AbortError";
    this.controller.error(reason);
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.fanout.leave(this);
    this.wake();
  }
}

export async function followSessionLogs({ ctx, input }: { ctx: TenantContext; input: { sessionId: string; query: LogQuery; lastEventId: string | null } }) {
  const { sessionId, query } = input;
  const lastEventId = parseLastEventId(input.lastEventId);
  if (lastEventId === "invalid") {
    throw new AppError("invalid_request", "Last-Event-ID must be a sequence number sent by this stream", {
      details: { fields: [{ path: "header.last-event-id", message: "not a sequence number" }] },
    });
  }
  if (query.format === "text") throw new AppError("invalid_request", "format=text is a download; it cannot be followed", { details: { fields: [{ path: "query.format", message: "not with follow" }] } });
  const head = await getLogHeadOrThrow(ctx.db, sessionId);
  const stream = new SseLogStream(ctx.tenantId, sessionId, filterOf(query), startSeqOf(query, head, lastEventId), logFanout());
  void stream.run(ctx.db, head);
  return new Response(stream.readable, {
    headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store, no-transform", "x-accel-buffering": "no" },
  });
}
