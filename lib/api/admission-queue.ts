// Sheds load in the process before the database has to: at most `concurrency` operations run at
// once, up to `maxQueued` more wait their turn in arrival order, and an operation that would wait
// beyond `maxWaitMs` or find the queue full is answered 503 with Retry-After at once. Without it, a
// burst became as many open transactions, each holding a pooled connection while it waited on the
// same tenant row lock, until Prisma gave up on the rest with a 500.
import { AppError } from "./errors";

export type AdmissionQueueOptions = { name: string; concurrency: number; maxQueued: number; maxWaitMs: number };

type Waiter = { admit: () => void; timer: ReturnType<typeof setTimeout> };

export class AdmissionQueue {
  private running = 0;
  private readonly waiting: Waiter[] = [];

  constructor(private readonly opts: AdmissionQueueOptions) {}

  stats() {
    return { running: this.running, queued: this.waiting.length };
  }

  /** Runs `fn` when a slot is free; throws a 503 AppError (Retry-After) when it would wait too long. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await fn();
    } finally {
      this.release();
    }
  }

  private acquire(): Promise<void> {
    if (this.running < this.opts.concurrency) {
      this.running++;
      return Promise.resolve();
    }
    if (this.waiting.length >= this.opts.maxQueued) return Promise.reject(this.busy("full"));
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        // The slot is handed over by release(): `running` stays counted.
        admit: () => {
          clearTimeout(waiter.timer);
          resolve();
        },
        timer: setTimeout(() => {
          const at = this.waiting.indexOf(waiter);
          if (at >= 0) this.waiting.splice(at, 1);
          reject(this.busy("wait"));
        }, this.opts.maxWaitMs),
      };
      this.waiting.push(waiter);
    });
  }

  private release() {
    const next = this.waiting.shift();
    if (next) next.admit();
    else this.running--;
  }

  private busy(why: "full" | "wait"): AppError {
    // A rough time for the queue ahead to drain, at least a second.
    const retryAfter = Math.max(1, Math.ceil(this.opts.maxWaitMs / 2000));
    return new AppError("unavailable", `Too many ${this.opts.name} at once; retry shortly`, {
      details: { reason: "busy", queue: why === "full" ? "full" : "wait_exceeded" },
      headers: { "Retry-After": String(retryAfter) },
    });
  }
}
