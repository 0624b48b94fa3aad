// Turns the bytes of one output stream (a process's stdout or stderr) into log lines. No I/O; the
// only side effect is the idle timer.
//
// Choices (documented in the README's "Log capture"):
// - A line ends at "\n"; one "\r" before it is dropped ("\r\n" output). Other "\r" stay.
// - Bytes are decoded as UTF-8 per line. "\n" never occurs inside a multibyte sequence, and a line
//   is only ever cut at a character boundary, so a character split across chunks stays whole.
//   Invalid bytes (binary output) become U+FFFD, and so does NUL, which Postgres refuses in text;
//   other control characters (ANSI colours, tabs) are kept.
// - A line longer than maxLineBytes is cut into pieces of at most that many bytes; each piece but
//   the last is marked `continued` and stored as its own row, so the next row of the same stream
//   continues it.
// - A partial line (no "\n" yet) is emitted, also marked `continued`, once the stream has been
//   quiet for idleMs, so a prompt without a newline shows up live; the rest of that line becomes
//   the next row. A line that is merely slow to arrive is split only if it pauses for idleMs.
//   Time while the reader holds the stream back (pause()/resume(): the log buffer is full) is not
//   quiet: the process is blocked on its pipe, not silent, and its line is whole.
// - Each row's timestamp is the arrival time of its first byte.

export type FramedLine = {
  text: string;
  /** When the row's first byte arrived. */
  at: Date;
  /** Bytes of output the row stands for (before decoding; the "\n" and a dropped "\r" not counted). */
  bytes: number;
  /** The line was not finished when this row was emitted (cut at the length limit, or flushed while idle): its rest, if any, is the next row of this stream. */
  continued: boolean;
};

export type LineFramerOptions = {
  onLine: (line: FramedLine) => void;
  /** Longest row, in bytes of UTF-8. */
  maxLineBytes?: number;
  /** Quiet time after which a partial line is emitted; 0 turns it off. */
  idleMs?: number;
  now?: () => Date;
};

export const DEFAULT_MAX_LINE_BYTES = 16 * 1024;
export const DEFAULT_IDLE_FLUSH_MS = 250;

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const NUL = /\u0000/g;

export class LineFramer {
  private readonly onLine: (line: FramedLine) => void;
  private readonly maxLineBytes: number;
  private readonly idleMs: number;
  private readonly now: () => Date;
  private readonly decoder = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });
  /** The current line's bytes so far (never more than maxLineBytes in total). */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private pendingAt = new Date(0);
  /** The previous row was part of a line still open: an empty rest of that line is not a row of its own. */
  private continuing = false;
  private idleTimer: NodeJS.Timeout | null = null;
  /** Counts armings and clearings: a flush scheduled under an older count is stale. */
  private idleArming = 0;
  private paused = false;
  private ended = false;

  constructor(opts: LineFramerOptions) {
    this.onLine = opts.onLine;
    this.maxLineBytes = Math.max(16, opts.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES);
    this.idleMs = opts.idleMs ?? DEFAULT_IDLE_FLUSH_MS;
    this.now = opts.now ?? (() => new Date());
  }

  push(chunk: Buffer): void {
    if (this.ended || chunk.length === 0) return;
    const at = this.now();
    let start = 0;
    while (start < chunk.length) {
      const nl = chunk.indexOf(NEWLINE, start);
      const end = nl === -1 ? chunk.length : nl;
      this.append(chunk.subarray(start, end), at);
      if (nl === -1) break;
      this.completeLine(at);
      start = nl + 1;
    }
    this.armIdleTimer();
  }

  /** The stream ended: whatever is pending is the last line (an incomplete character becomes U+FFFD). */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.clearIdleTimer();
    if (this.pendingBytes > 0) this.emit(this.takePending(this.pendingBytes), false);
  }

  /** The reader stops reading this stream for a while (back-pressure): the idle clock stops too. */
  pause(): void {
    this.paused = true;
    this.clearIdleTimer();
  }

  /** The reader reads again: the quiet period starts anew. */
  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    if (!this.ended) this.armIdleTimer();
  }

  /** Emits the partial line now (up to the last whole character), as the idle timer does. */
  flushPartial(): void {
    if (this.pendingBytes === 0) return;
    const buf = this.concatPending();
    const cut = characterBoundary(buf, buf.length);
    if (cut === 0) return;
    this.pending = cut < buf.length ? [buf.subarray(cut)] : [];
    this.pendingBytes = buf.length - cut;
    this.emit(buf.subarray(0, cut), true);
  }

  private append(bytes: Buffer, at: Date): void {
    if (bytes.length === 0) return;
    if (this.pendingBytes === 0) this.pendingAt = at;
    while (this.pendingBytes + bytes.length > this.maxLineBytes) {
      const room = this.maxLineBytes - this.pendingBytes;
      const buf = Buffer.concat([...this.pending, bytes.subarray(0, room)]);
      const cut = characterBoundary(buf, buf.length) || buf.length;
      this.pending = [];
      this.pendingBytes = 0;
      this.emit(buf.subarray(0, cut), true);
      this.pendingAt = at;
      if (cut < buf.length) this.pushPending(buf.subarray(cut));
      bytes = bytes.subarray(room);
    }
    if (bytes.length > 0) this.pushPending(bytes);
  }

  private completeLine(at: Date): void {
    let buf = this.concatPending();
    if (buf.length > 0 && buf[buf.length - 1] === CARRIAGE_RETURN) buf = buf.subarray(0, buf.length - 1);
    this.pending = [];
    this.pendingBytes = 0;
    if (buf.length === 0 && this.continuing) {
      this.continuing = false;
      return;
    }
    if (buf.length === 0) this.pendingAt = at;
    this.emit(buf, false);
  }

  private emit(bytes: Buffer, continued: boolean): void {
    const at = this.pendingAt;
    this.continuing = continued;
    this.onLine({ text: this.decoder.decode(bytes).replace(NUL, "\uFFFD"), at, bytes: bytes.length, continued });
  }

  private pushPending(bytes: Buffer): void {
    // Copy: the caller's chunk may be a view into a buffer that gets reused.
    this.pending.push(Buffer.from(bytes));
    this.pendingBytes += bytes.length;
  }

  private concatPending(): Buffer {
    return this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending);
  }

  private takePending(n: number): Buffer {
    const buf = this.concatPending();
    this.pending = [];
    this.pendingBytes = 0;
    return buf.subarray(0, n);
  }

  private armIdleTimer(): void {
    this.clearIdleTimer();
    if (this.pendingBytes === 0 || this.idleMs <= 0 || this.paused) return;
    const arming = this.idleArming;
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      // Timers run before the event loop reads ready pipes: after a stall of the loop (a loaded
      // machine) the rest of the line may be waiting unread. Flush only if one more turn of the
      // loop, which reads it, brought nothing (a push or a pause re-arms or clears).
      setImmediate(() => {
        if (arming === this.idleArming) this.flushPartial();
      });
    }, this.idleMs);
    this.idleTimer.unref?.();
  }

  private clearIdleTimer(): void {
    this.idleArming++;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }
}

/**
 * The largest index ≤ end at which `buf` can be cut without splitting a UTF-8 sequence. Only the
 * last three bytes can belong to an unfinished sequence; invalid bytes count as whole characters.
 */
export function characterBoundary(buf: Buffer, end: number): number {
  for (let i = end - 1; i >= Math.max(0, end - 3); i--) {
    const b = buf[i];
    if (b < 0x80) return end; // ASCII: nothing unfinished after it
    if (b >= 0xc0) {
      const length = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
      return i + length > end ? i : end;
    }
    // 0x80–0xBF: a continuation byte; look further back for its lead byte.
  }
  return end;
}
