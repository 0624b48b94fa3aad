// Platform spans are recorded off the request path: `record` only appends to an in-process buffer,
// and a timer writes the buffer every FLUSH_EVERY_MS (sooner when a batch fills) with one INSERT per
// batch. The buffer is bounded: when the database is slow or down, the oldest spans beyond the
// bound are dropped and counted in a log line, never allowed to grow memory or fail a request.
import type { SpanRow } from "./span-row";

export type SpanWriterOptions = {
  insert: (rows: SpanRow[]) => Promise<unknown>;
  flushEveryMs?: number;
  batchSize?: number;
  maxBuffered?: number;
  log?: (message: string) => void;
};

export class SpanWriter {
  private buffer: SpanRow[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  private dropped = 0;
  private lastDropLog = 0;
  private readonly flushEveryMs: number;
  private readonly batchSize: number;
  private readonly maxBuffered: number;
  private readonly log: (message: string) => void;

  constructor(private readonly opts: SpanWriterOptions) {
    this.flushEveryMs = opts.flushEveryMs ?? 100;
    this.batchSize = opts.batchSize ?? 500;
    this.maxBuffered = opts.maxBuffered ?? 20_000;
    this.log = opts.log ?? ((m) => console.warn(`[spans] ${m}`));
  }

  record(row: SpanRow): void {
    this.buffer.push(row);
    if (this.buffer.length > this.maxBuffered) this.drop(this.buffer.length - this.maxBuffered);
    if (!this.timer) {
      this.timer = setInterval(() => void this.flush(), this.flushEveryMs);
      this.timer.unref();
    }
    if (this.buffer.length >= this.batchSize && !this.flushing) void this.flush();
  }

  get pending(): number {
    return this.buffer.length;
  }

  get droppedCount(): number {
    return this.dropped;
  }

  /** Writes everything buffered now (one batch at a time); resolves when done or failed. */
  flush(): Promise<void> {
    if (this.flushing) return this.flushing;
    if (this.buffer.length === 0) return Promise.resolve();
    this.flushing = (async () => {
      while (this.buffer.length > 0) {
        const batch = this.buffer.splice(0, this.batchSize);
        try {
          await this.opts.insert(batch);
        } catch (err) {
          // Keep the batch for the next tick (the bound still applies) and stop for now.
          this.buffer.unshift(...batch);
          if (this.buffer.length > this.maxBuffered) this.drop(this.buffer.length - this.maxBuffered);
          this.log(`could not write ${batch.length} spans (${(err as Error).message}); retrying`);
          break;
        }
      }
    })().finally(() => (this.flushing = null));
    return this.flushing;
  }

  /** Stops the timer and writes what is left, retrying a few times. */
  async close(attempts = 3): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (let i = 0; i < attempts && this.buffer.length > 0; i++) {
      if (this.flushing) await this.flushing;
      await this.flush();
    }
    if (this.buffer.length > 0) this.drop(this.buffer.length, true);
  }

  private drop(count: number, final = false) {
    this.buffer.splice(0, count);
    this.dropped += count;
    const now = Date.now();
    if (final || now - this.lastDropLog > 10_000) {
      this.log(`dropped ${this.dropped} spans in total: the buffer of ${this.maxBuffered} was full (database slow or down)`);
      this.lastDropLog = now;
    }
  }
}
