// The recent output of one terminal, addressed by byte offset since the terminal opened, so that a
// viewer that reconnects (SSE Last-Event-ID) gets exactly what it missed, or a gap marker saying
// how many bytes fell out of the window. Bounded: the oldest bytes go first.

export type OutputChunk = { offset: number; data: Buffer };

export class OutputBuffer {
  private chunks: OutputChunk[] = [];
  private size = 0;
  /** Offset just past the last byte ever written. */
  end = 0;

  constructor(private readonly maxBytes: number) {}

  /** Offset of the oldest byte still held. */
  get start(): number {
    return this.chunks[0]?.offset ?? this.end;
  }

  append(data: Buffer): OutputChunk {
    const chunk = { offset: this.end, data };
    this.chunks.push(chunk);
    this.end += data.length;
    this.size += data.length;
    while (this.size > this.maxBytes) {
      const first = this.chunks[0];
      const excess = this.size - this.maxBytes;
      if (first.data.length <= excess) {
        this.chunks.shift();
        this.size -= first.data.length;
      } else {
        this.chunks[0] = { offset: first.offset + excess, data: first.data.subarray(excess) };
        this.size -= excess;
      }
    }
    return chunk;
  }

  /**
   * Everything after `after` that is still held, and the range that is not (null when nothing was
   * lost). An offset past the end (another terminal's id, say) counts as the end.
   */
  since(after: number): { gap: { from: number; to: number } | null; chunks: OutputChunk[] } {
    const from = Math.min(Math.max(0, after), this.end);
    const gap = from < this.start ? { from, to: this.start } : null;
    const chunks: OutputChunk[] = [];
    for (const c of this.chunks) {
      const cEnd = c.offset + c.data.length;
      if (cEnd <= from) continue;
      chunks.push(c.offset >= from ? c : { offset: from, data: c.data.subarray(from - c.offset) });
    }
    return { gap, chunks };
  }
}
