// The runner's log writer: collects the lines of all its sessions and writes them in batches, one
// appendSessionLogs call (one insert, one NOTIFY) per session per flush.
//
// Memory is bounded. Past softCapBytes, push() answers false and whenWritable() holds the producer
// (the exec's output stream is paused, so the process blocks on its pipe) until a flush frees
// room. While the database is down, flushes retry with back-off and lines buffer up to the cap.
// If the buffer stays full for maxWaitMs, producers are let go and what does not fit is dropped;
// past hardCapBytes (a producer that does not wait) too. A drop is never silent: the session gets
// a `system` line "[burrow] N lines (B bytes) dropped: <reason>" exactly where the lines are
// missing, written with the next batch that reaches the database.
//
// Sessions given limits (setLimits: their plan's rate and total, lib/logs/log-limiter.ts) have
// output lines beyond them dropped before they are queued, also counted in a marker: one per
// stretch of drops, written when a line is kept again, when the drops pause for markerQuietMs, or
// every markerEveryMs while they go on.
import { isDatabaseUnavailable } from "../api/errors";
import { appendSessionLogs, type NewLogLine } from "./append-session-logs";
import { SessionLogLimiter, type LogLimits } from "./log-limiter";

export type LogTarget = { tenantId: string; sessionId: string };
/** A line to write; `bytes` is the size of the output it stands for (counted in drop markers). */
export type CapturedLine = NewLogLine & { bytes?: number };
export type LogWriter = (tenantId: string, sessionId: string, lines: NewLogLine[]) => Promise<{ firstSeq: number; lastSeq: number } | null>;

export type LogBatcherOptions = {
  write?: LogWriter;
  /** A flush starts at most this long after the previous one started (group commit). */
  flushEveryMs?: number;
  /** At most this many lines of one session in one insert; a session with this many queued flushes at once. */
  maxBatchLines?: number;
  /** Above this (text plus LINE_OVERHEAD_BYTES per line, lines in flight included) producers are held back. */
  softCapBytes?: number;
  /** Above this, lines are dropped even from producers that are not waiting. */
  hardCapBytes?: number;
  /** How long producers are held back by a full buffer before lines are dropped instead. */
  maxWaitMs?: number;
  /** Sessions written at the same time in one flush. */
  concurrency?: number;
  /** Retry delays after a failed write: doubling from min to max. */
  retryMinMs?: number;
  retryMaxMs?: number;
  /** Failures of one batch, with the database reachable, before the batch is given up (and marked). */
  maxBatchFailures?: number;
  /** A stretch of lines dropped for a session's log limit is marked at least this often while it lasts. */
  markerEveryMs?: number;
  /** ... and once no line has been dropped for this long. */
  markerQuietMs?: number;
  /** Called after each committed batch (benchmarks measure commit latency with it). */
  onCommitted?: (target: LogTarget, lines: NewLogLine[], committedAt: number) => void;
  log?: (message: string) => void;
};

/** Rough memory of one queued line beyond its text. */
export const LINE_OVERHEAD_BYTES = 96;

type Gap = { kind: "gap"; lines: number; bytes: number; at: Date; source: string; reason: string };
type Item = { kind: "line"; line: NewLogLine; bytes: number; cost: number } | Gap;
type SessionQueue = LogTarget & { items: Item[]; lines: number; failures: number };
type PendingGap = Gap & { openedAt: number; lastDropAt: number };
type Limited = { target: LogTarget; limiter: SessionLogLimiter; pending: PendingGap | null; touchedAt: number };

/** Limits of a session not heard of for this long are forgotten (set again from the database when it writes). */
const FORGET_LIMITS_AFTER_MS = 10 * 60_000;

export function dropMarkerText(lines: number, bytes: number, reason: string): string {
  return `[burrow] ${lines} ${lines === 1 ? "line" : "lines"} (${bytes} ${bytes === 1 ? "byte" : "bytes"}) dropped: ${reason}`;
}

export class LogBatcher {
  private readonly write: LogWriter;
  private readonly opts: Required<Omit<LogBatcherOptions, "write" | "onCommitted" | "log">> & Pick<LogBatcherOptions, "onCommitted">;
  private readonly log: (message: string) => void;
  private readonly queues = new Map<string, SessionQueue>();
  private bufferedBytes = 0;
  private bufferedLines = 0;
  private fullSince: number | null = null;
  private shedding = false;
  private shedTimer: NodeJS.Timeout | null = null;
  private waiters: (() => void)[] = [];
  private flushTimer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  private lastFlushStart = 0;
  private failedFlushes = 0;
  private closed = false;
  private readonly limited = new Map<string, Limited>();
  private readonly totals = { committedLines: 0, droppedLines: 0, droppedBytes: 0, limitedLines: 0, limitedBytes: 0, failedWrites: 0, heldBack: 0 };

  constructor(options: LogBatcherOptions = {}) {
    this.write = options.write ?? appendSessionLogs;
    this.log = options.log ?? ((m) => console.log(`[logs] ${m}`));
    const softCapBytes = options.softCapBytes ?? 16 * 1024 * 1024;
    this.opts = {
      flushEveryMs: options.flushEveryMs ?? 50,
      maxBatchLines: options.maxBatchLines ?? 5_000,
      softCapBytes,
      hardCapBytes: Math.max(softCapBytes, options.hardCapBytes ?? softCapBytes * 2),
      maxWaitMs: options.maxWaitMs ?? 15_000,
      concurrency: options.concurrency ?? 4,
      retryMinMs: options.retryMinMs ?? 100,
      retryMaxMs: options.retryMaxMs ?? 5_000,
      maxBatchFailures: options.maxBatchFailures ?? 3,
      markerEveryMs: options.markerEveryMs ?? 5_000,
      markerQuietMs: options.markerQuietMs ?? 1_000,
      onCommitted: options.onCommitted,
    };
  }

  /**
   * Queues one line. Answers false when the buffer is full: the producer should wait for
   * whenWritable() before pushing more (if it pushes anyway, lines past the hard cap are dropped
   * and counted).
   */
  push(target: LogTarget, line: CapturedLine): boolean {
    const bytes = line.bytes ?? Buffer.byteLength(line.line);
    const cost = line.line.length + LINE_OVERHEAD_BYTES;
    const queue = this.queueOf(target);
    const limited = this.closed ? undefined : this.limited.get(target.sessionId);
    if (limited) {
      const now = Date.now();
      limited.touchedAt = now;
      const reason = line.stream === "system" ? null : limited.limiter.admit(bytes, now);
      if (reason) {
        this.recordLimitDrop(limited, line, bytes, reason, now);
        return !this.isFull() || this.shedding;
      }
      this.emitPending(limited);
    }
    if (this.closed || (this.shedding && this.isFull()) || this.bufferedBytes + cost > this.opts.hardCapBytes) {
      this.recordDrop(queue, line, bytes);
      return !this.isFull() || this.shedding;
    }
    const { bytes: _, ...stored } = line;
    queue.items.push({ kind: "line", line: stored, bytes, cost });
    queue.lines++;
    this.bufferedBytes += cost;
    this.bufferedLines++;
    if (this.isFull()) this.becameFull();
    this.scheduleFlush(queue.lines >= this.opts.maxBatchLines);
    return !this.isFull() || this.shedding;
  }

  /**
   * The session's log limits and what its log holds already (sessions.log_bytes). Called again,
   * it updates the limits and keeps the larger count.
   */
  setLimits(target: LogTarget, limits: LogLimits, usedBytes: number) {
    const now = Date.now();
    const known = this.limited.get(target.sessionId);
    if (known) {
      known.limiter.update(limits, usedBytes);
      known.touchedAt = now;
    } else {
      this.limited.set(target.sessionId, { target, limiter: new SessionLogLimiter(limits, usedBytes, now), pending: null, touchedAt: now });
    }
  }

  /** Resolves when there is room again, or when producers are no longer held back (shedding, closed). */
  whenWritable(): Promise<void> {
    if (!this.isFull() || this.shedding || this.closed) return Promise.resolve();
    this.totals.heldBack++;
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  stats() {
    return { ...this.totals, bufferedLines: this.bufferedLines, bufferedBytes: this.bufferedBytes, sessions: this.queues.size, shedding: this.shedding };
  }

  /** Writes everything queued now (and waits for it); failed writes stay queued. */
  async flushNow(): Promise<void> {
    if (this.flushing) await this.flushing;
    this.clearFlushTimer();
    await this.runFlush();
  }

  /**
   * For shutdown: stops taking lines and keeps flushing (with retries) until everything is written
   * or the deadline passes. What is left then is reported on the runner's own log, with counts.
   */
  async close(timeoutMs = 10_000): Promise<void> {
    this.closed = true;
    for (const l of this.limited.values()) this.emitPending(l);
    this.releaseWaiters();
    const deadline = Date.now() + timeoutMs;
    while (this.bufferedLines + this.gapCount() > 0 && Date.now() < deadline) {
      await this.flushNow();
      if (this.failedFlushes > 0) await sleep(Math.min(this.retryDelay(), Math.max(0, deadline - Date.now())));
    }
    this.clearFlushTimer();
    if (this.shedTimer) clearTimeout(this.shedTimer);
    for (const q of this.queues.values()) {
      const lines = q.items.reduce((n, i) => n + (i.kind === "line" ? 1 : i.lines), 0);
      if (lines > 0) this.log(`shutting down: ${lines} log lines of session ${q.sessionId} could not be written (database unavailable)`);
    }
  }

  private isFull(): boolean {
    return this.bufferedBytes >= this.opts.softCapBytes;
  }

  private queueOf(target: LogTarget): SessionQueue {
    let q = this.queues.get(target.sessionId);
    if (!q) {
      q = { tenantId: target.tenantId, sessionId: target.sessionId, items: [], lines: 0, failures: 0 };
      this.queues.set(target.sessionId, q);
    }
    return q;
  }

  private dropReason(): string {
    if (this.closed) return "runner shutting down";
    return this.failedFlushes > 0 ? "database unavailable" : "log buffer full (database too slow)";
  }

  /** Counts a dropped line into the gap at the end of the session's queue (a new gap if lines came between). */
  private recordDrop(queue: SessionQueue, line: CapturedLine, bytes: number) {
    this.totals.droppedLines++;
    this.totals.droppedBytes += bytes;
    const last = queue.items.at(-1);
    const reason = this.dropReason();
    if (last?.kind === "gap" && last.reason === reason) {
      last.lines++;
      last.bytes += bytes;
      if (last.source !== line.source) last.source = "platform";
    } else {
      queue.items.push({ kind: "gap", lines: 1, bytes, at: line.at, source: line.source, reason });
    }
    this.scheduleFlush(false);
  }

  /** Counts a line dropped for a limit into the session's open stretch (a new one if the reason changed). */
  private recordLimitDrop(limited: Limited, line: CapturedLine, bytes: number, reason: string, now: number) {
    this.totals.limitedLines++;
    this.totals.limitedBytes += bytes;
    if (limited.pending && limited.pending.reason !== reason) this.emitPending(limited);
    const gap = (limited.pending ??= { kind: "gap", lines: 0, bytes: 0, at: line.at, source: line.source, reason, openedAt: now, lastDropAt: now });
    gap.lines++;
    gap.bytes += bytes;
    gap.lastDropAt = now;
    if (gap.source !== line.source) gap.source = "platform";
    this.scheduleFlush(false);
  }

  /** Puts the session's open stretch of limit drops into its queue as a marker. */
  private emitPending(limited: Limited) {
    const p = limited.pending;
    if (!p) return;
    limited.pending = null;
    this.queueOf(limited.target).items.push({ kind: "gap", lines: p.lines, bytes: p.bytes, at: p.at, source: p.source, reason: p.reason });
    this.scheduleFlush(false);
  }

  /** Markers for stretches that paused or went on long enough; limits of long-quiet sessions forgotten. */
  private emitDueMarkers() {
    const now = Date.now();
    for (const [id, l] of this.limited) {
      if (l.pending && (now - l.pending.lastDropAt >= this.opts.markerQuietMs || now - l.pending.openedAt >= this.opts.markerEveryMs)) this.emitPending(l);
      if (!l.pending && now - l.touchedAt > FORGET_LIMITS_AFTER_MS) this.limited.delete(id);
    }
  }

  private becameFull() {
    if (this.fullSince !== null) return;
    this.fullSince = Date.now();
    this.shedTimer = setTimeout(() => {
      this.shedTimer = null;
      if (!this.isFull()) return;
      this.shedding = true;
      this.log(`log buffer full for ${this.opts.maxWaitMs} ms: dropping lines (counted in markers) instead of holding output back`);
      this.releaseWaiters();
    }, this.opts.maxWaitMs);
    this.shedTimer.unref?.();
  }

  private maybeRoom() {
    if (this.isFull()) return;
    this.fullSince = null;
    this.shedding = false;
    if (this.shedTimer) clearTimeout(this.shedTimer);
    this.shedTimer = null;
    this.releaseWaiters();
  }

  private releaseWaiters() {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  private gapCount(): number {
    let n = 0;
    for (const q of this.queues.values()) for (const i of q.items) if (i.kind === "gap") n++;
    return n;
  }

  private retryDelay(): number {
    return Math.min(this.opts.retryMaxMs, this.opts.retryMinMs * 2 ** Math.max(0, this.failedFlushes - 1));
  }

  private scheduleFlush(now: boolean) {
    if (this.flushing) return; // the running flush reschedules when it ends
    const delay = this.failedFlushes > 0 ? this.retryDelay() : now ? 0 : Math.max(0, this.lastFlushStart + this.opts.flushEveryMs - Date.now());
    if (this.flushTimer && !now) return;
    this.clearFlushTimer();
    this.flushTimer = setTimeout(() => {
      this.flushTimer = null;
      void this.runFlush();
    }, delay);
  }

  private clearFlushTimer() {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
  }

  private runFlush(): Promise<void> {
    if (this.flushing) return this.flushing;
    this.lastFlushStart = Date.now();
    this.flushing = this.flushAll()
      .catch((e) => this.log(`flush failed: ${(e as Error).message}`))
      .finally(() => {
        this.flushing = null;
        const pendingMarkers = [...this.limited.values()].some((l) => l.pending);
        if (!this.closed && (pendingMarkers || [...this.queues.values()].some((q) => q.items.length > 0))) {
          this.scheduleFlush([...this.queues.values()].some((q) => q.lines >= this.opts.maxBatchLines));
        }
      });
    return this.flushing;
  }

  private async flushAll(): Promise<void> {
    this.emitDueMarkers();
    const pending = [...this.queues.values()].filter((q) => q.items.length > 0);
    let failed = false;
    let next = 0;
    const worker = async () => {
      while (next < pending.length) if (!(await this.flushSession(pending[next++]))) failed = true;
    };
    await Promise.all(Array.from({ length: Math.min(this.opts.concurrency, pending.length) }, worker));
    this.failedFlushes = failed ? this.failedFlushes + 1 : 0;
    for (const [id, q] of this.queues) if (q.items.length === 0) this.queues.delete(id);
    this.maybeRoom();
  }

  /** One insert for (the first maxBatchLines lines of) one session. False when the write failed. */
  private async flushSession(q: SessionQueue): Promise<boolean> {
    let take = 0;
    let lineCount = 0;
    while (take < q.items.length && lineCount < this.opts.maxBatchLines) if (q.items[take++].kind === "line") lineCount++;
    const items = q.items.splice(0, take);
    const lines = items.map(toLogLine);
    try {
      const range = await this.write(q.tenantId, q.sessionId, lines);
      if (range === null) this.log(`session ${q.sessionId} is gone: ${lineCount} log lines discarded`);
      this.release(q, items);
      q.failures = 0;
      this.totals.committedLines += range === null ? 0 : lines.length;
      if (range !== null) this.opts.onCommitted?.(q, lines, Date.now());
      return true;
    } catch (err) {
      this.totals.failedWrites++;
      q.failures++;
      if (!isDatabaseUnavailable(err) && q.failures >= this.opts.maxBatchFailures) {
        // The database answers but refuses this batch: give it up, leaving a marker in its place.
        const message = (err as Error).message.split("\n").at(-1)?.slice(0, 200) ?? "error";
        this.log(`session ${q.sessionId}: giving up a batch of ${lineCount} lines after ${q.failures} failures: ${message}`);
        this.release(q, items);
        q.items.unshift(gapFor(items, `write failed: ${message}`));
        q.failures = 0;
      } else {
        q.items = items.concat(q.items);
      }
      return false;
    }
  }

  private release(q: SessionQueue, items: Item[]) {
    for (const i of items) {
      if (i.kind !== "line") continue;
      this.bufferedBytes -= i.cost;
      this.bufferedLines--;
      q.lines--;
    }
  }
}

function toLogLine(item: Item): NewLogLine {
  if (item.kind === "line") return item.line;
  return { stream: "system", source: item.source, at: item.at, line: dropMarkerText(item.lines, item.bytes, item.reason) };
}

/** The items of a batch that could not be written, as one gap (earlier gaps in it included). */
function gapFor(items: Item[], reason: string): Gap {
  const gap: Gap = { kind: "gap", lines: 0, bytes: 0, at: new Date(), source: "", reason };
  for (const i of items) {
    gap.lines += i.kind === "line" ? 1 : i.lines;
    gap.bytes += i.bytes;
    const at = i.kind === "line" ? i.line.at : i.at;
    const source = i.kind === "line" ? i.line.source : i.source;
    if (at < gap.at) gap.at = at;
    gap.source = gap.source === "" || gap.source === source ? source : "platform";
  }
  return gap;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
