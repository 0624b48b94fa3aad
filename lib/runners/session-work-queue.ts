// The runner's per-session work: a session is worked on when something says it changed (a notice
// for it, the slow full pass, a retry), never on a timer per session. One turn per session at a
// time: asked again while its turn runs, it gets one more turn right after (changes are never
// lost, and never worked on twice at once). At most `concurrency` turns run at once, and each
// queued one starts as soon as a slot frees (no waves: a slow start holds one slot, not a batch).
// Pure bookkeeping; what a turn does is the caller's.

export type SessionWorkQueueOptions = {
  concurrency: number;
  work: (sessionId: string) => Promise<void>;
  log?: (message: string) => void;
};

export class SessionWorkQueue {
  private readonly queued: string[] = [];
  private readonly queuedSet = new Set<string>();
  private readonly running = new Map<string, Promise<void>>();
  /** Asked again while running: one more turn after this one. */
  private readonly again = new Set<string>();
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly opts: SessionWorkQueueOptions) {}

  enqueue(sessionId: string): void {
    if (this.running.has(sessionId)) {
      this.again.add(sessionId);
      return;
    }
    if (this.queuedSet.has(sessionId)) return;
    this.queuedSet.add(sessionId);
    this.queued.push(sessionId);
    this.pump();
  }

  /** Queued or being worked on. */
  has(sessionId: string): boolean {
    return this.queuedSet.has(sessionId) || this.running.has(sessionId);
  }

  /** The sessions queued or being worked on now. */
  ids(): Set<string> {
    return new Set([...this.queuedSet, ...this.running.keys()]);
  }

  get size(): { queued: number; running: number } {
    return { queued: this.queued.length, running: this.running.size };
  }

  /** Resolves once nothing is queued or running (immediately when so already). */
  idle(): Promise<void> {
    if (this.queued.length === 0 && this.running.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private pump(): void {
    while (this.running.size < this.opts.concurrency && this.queued.length > 0) {
      const id = this.queued.shift()!;
      this.queuedSet.delete(id);
      const turn = this.opts.work(id)
        .catch((e: Error) => this.opts.log?.(`session ${id}: ${e.message}`))
        .finally(() => {
          this.running.delete(id);
          if (this.again.delete(id)) this.enqueue(id);
          this.pump();
          if (this.queued.length === 0 && this.running.size === 0) {
            const waiters = this.idleWaiters;
            this.idleWaiters = [];
            for (const w of waiters) w();
          }
        });
      this.running.set(id, turn);
    }
  }
}
