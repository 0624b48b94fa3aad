// One LISTEN connection per web process fans new log lines out to that process's SSE clients.
//
// A NOTIFY on LOG_CHANNEL only says "session S has new lines": the lines themselves are read from
// the database, once per session for all its subscribers (they are all at the same sequence number
// in the normal case), encoded once, and written to each subscriber. Reads of one session never
// overlap and deliver strictly in sequence order; a subscriber receives only lines above its own
// last sequence number, so nothing arrives twice. Missed notices cannot lose lines: after every
// (re)connect of the LISTEN connection, and every heartbeat tick, each session is read again from
// its subscribers' last sequence numbers.
import { tenantDb, type TenantDb } from "../db/tenant-scope";
import { ListenConnection } from "../db/listen-connection";
import { LOG_CHANNEL, type LogNotice } from "./append-session-logs";
import { HEARTBEAT_EVENT, hasFilter, logEvent, logMatcher } from "./log-events";
import { type LogRow, readLogRows } from "./read-session-logs";
import type { LogFilter } from "./schemas";

/** A live reader of one session's log (an SSE client). */
export interface LogSubscriber {
  readonly tenantId: string;
  readonly sessionId: string;
  readonly filter: LogFilter;
  /** The last sequence number this subscriber has been given (or skipped by its filter). */
  lastSeq: number;
  /** Queues bytes for the client; a subscriber that falls too far behind closes itself. */
  write(chunk: Uint8Array): void;
}

type Channel = {
  tenantId: string;
  sessionId: string;
  db: TenantDb;
  subscribers: Set<LogSubscriber>;
  reading: boolean;
  /** A notice came while reading: read again when done. */
  again: boolean;
  retryTimer?: NodeJS.Timeout;
};

export type LogFanoutOptions = { heartbeatMs?: number; readBatch?: number; maxBackoffMs?: number };

const encoder = new TextEncoder();
const log = (msg: string) => console.error(`[log-fanout] ${msg}`);

export class LogFanout {
  private readonly channels = new Map<string, Channel>();
  private readonly registered = new Set<LogSubscriber>();
  private readonly listen: ListenConnection;
  private started = false;
  private tick?: NodeJS.Timeout;
  private readonly heartbeatMs: number;
  private readonly readBatch: number;
  private readonly heartbeatChunk = encoder.encode(HEARTBEAT_EVENT);
  readonly stats = { notices: 0, reads: 0, connects: 0, readErrors: 0, cutLoose: 0 };

  constructor(opts: LogFanoutOptions = {}) {
    this.heartbeatMs = opts.heartbeatMs ?? 15_000;
    // Rows of up to 16 KiB: a batch (one chunk per client) stays within a few MiB.
    this.readBatch = opts.readBatch ?? 200;
    this.listen = new ListenConnection({
      channel: LOG_CHANNEL, applicationName: "burrow-log-fanout", maxBackoffMs: opts.maxBackoffMs, log,
      onNotice: (payload) => this.onNotice(payload),
      onConnected: () => {
        this.stats.connects += 1;
        // Notices sent while we were not listening are gone: read every session from where its subscribers are.
        this.drainAll();
      },
    });
  }

  /** Registers an open stream for heartbeats; starts the LISTEN connection on first use. */
  register(sub: LogSubscriber): void {
    this.start();
    this.registered.add(sub);
  }

  /** From now on the subscriber gets every line after its lastSeq as it is committed. */
  join(sub: LogSubscriber): void {
    const key = channelKey(sub.tenantId, sub.sessionId);
    let channel = this.channels.get(key);
    if (!channel) {
      channel = { tenantId: sub.tenantId, sessionId: sub.sessionId, db: tenantDb(sub.tenantId), subscribers: new Set(), reading: false, again: false };
      this.channels.set(key, channel);
    }
    channel.subscribers.add(sub);
    // Lines committed between the subscriber's backlog and now, whose notice may have come already.
    void this.drain(channel);
  }

  leave(sub: LogSubscriber): void {
    this.registered.delete(sub);
    const key = channelKey(sub.tenantId, sub.sessionId);
    const channel = this.channels.get(key);
    if (!channel?.subscribers.delete(sub) || channel.subscribers.size > 0) return;
    clearTimeout(channel.retryTimer);
    this.channels.delete(key);
  }

  subscriberCount(sessionId?: string): number {
    if (!sessionId) return this.registered.size;
    let n = 0;
    for (const c of this.channels.values()) if (c.sessionId === sessionId) n += c.subscribers.size;
    return n;
  }

  /** The backend pid of the LISTEN connection (null while disconnected), for tests and operators. */
  listenerPid(): number | null {
    return this.listen.backendPid();
  }

  isListening(): boolean {
    return this.listen.isConnected();
  }

  async stop(): Promise<void> {
    clearInterval(this.tick);
    for (const c of this.channels.values()) clearTimeout(c.retryTimer);
    await this.listen.stop();
  }

  private start(): void {
    if (this.started) return;
    this.started = true;
    this.tick = setInterval(() => this.onTick(), this.heartbeatMs);
    this.tick.unref();
    this.listen.start();
  }

  private onNotice(payload: string | undefined): void {
    this.stats.notices += 1;
    let notice: LogNotice;
    try {
      notice = JSON.parse(payload ?? "") as LogNotice;
    } catch {
      return;
    }
    const channel = this.channels.get(channelKey(notice.tenantId, notice.sessionId));
    if (channel) void this.drain(channel);
  }

  private onTick(): void {
    for (const sub of [...this.registered]) sub.write(this.heartbeatChunk);
    this.drainAll();
  }

  private drainAll(): void {
    for (const channel of this.channels.values()) void this.drain(channel);
  }

  /** Reads and delivers everything after the subscribers' sequence numbers; one read at a time per session. */
  private async drain(channel: Channel): Promise<void> {
    if (channel.reading) {
      channel.again = true;
      return;
    }
    channel.reading = true;
    try {
      do {
        channel.again = false;
        for (;;) {
          if (channel.subscribers.size === 0) return;
          let after = Infinity;
          for (const sub of channel.subscribers) after = Math.min(after, sub.lastSeq);
          this.stats.reads += 1;
          const rows = await readLogRows(channel.db, channel.sessionId, { afterSeq: after, limit: this.readBatch });
          if (rows.length > 0) this.deliver(channel, rows);
          if (rows.length < this.readBatch) break;
        }
      } while (channel.again);
    } catch (err) {
      this.stats.readErrors += 1;
      log(`reading ${channel.sessionId}: ${(err as Error).message}; retrying`);
      clearTimeout(channel.retryTimer);
      channel.retryTimer = setTimeout(() => void this.drain(channel), 1000);
      channel.retryTimer.unref();
    } finally {
      channel.reading = false;
    }
  }

  /** Encodes the rows once; subscribers at the batch's start with no filter all get the same bytes. */
  private deliver(channel: Channel, rows: LogRow[]): void {
    const events = rows.map(logEvent);
    const lastSeq = Number(rows[rows.length - 1].seq);
    let whole: Uint8Array | null = null;
    for (const sub of [...channel.subscribers]) {
      let start = 0;
      while (start < rows.length && Number(rows[start].seq) <= sub.lastSeq) start += 1;
      if (start === rows.length) continue;
      sub.lastSeq = lastSeq;
      if (start === 0 && !hasFilter(sub.filter)) {
        whole ??= encoder.encode(events.join(""));
        sub.write(whole);
        continue;
      }
      const matches = logMatcher(sub.filter);
      let text = "";
      for (let i = start; i < rows.length; i++) if (matches(rows[i])) text += events[i];
      if (text) sub.write(encoder.encode(text));
    }
  }
}

const channelKey = (tenantId: string, sessionId: string) => `${tenantId}/${sessionId}`;

const holder = globalThis as unknown as { burrowLogFanout?: LogFanout };

/** The process's fan-out (kept on globalThis so a dev hot reload does not open a second LISTEN). */
export function logFanout(): LogFanout {
  holder.burrowLogFanout ??= new LogFanout();
  return holder.burrowLogFanout;
}
