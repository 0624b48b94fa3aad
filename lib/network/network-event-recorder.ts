// The egress flight recorder on the runner: events from the resolver (lookups) and the firewall
// (connection attempts) are admitted per session by a token bucket, buffered and written in
// batches. A flood cannot fill the database: past the rate (burst: BURST_SECONDS of it) events are
// dropped until the bucket is half full again, and each stretch of drops is written as one
// "dropped" row with its count (as the log limiter does for log lines). The buffer is bounded too.
import type { DroppedRow, NetworkEventRecord } from "./network-event";
import { writeNetworkEvents } from "./write-network-events";

export const BURST_SECONDS = 10;
const MAX_BUFFERED = 10_000;
const FLUSH_EVERY_MS = 500;

type Bucket = { tokens: number; at: number; throttled: boolean; dropped: number; droppedSinceMs: number };

export type NetworkEventRecorderOptions = {
  perSecond: number;
  log: (m: string) => void;
  write?: (events: NetworkEventRecord[], dropped: DroppedRow[]) => Promise<unknown>;
  now?: () => number;
};

export function createNetworkEventRecorder(opts: NetworkEventRecorderOptions) {
  const now = opts.now ?? Date.now;
  const write = opts.write ?? writeNetworkEvents;
  const capacity = opts.perSecond * BURST_SECONDS;
  const buckets = new Map<string, Bucket>();
  let buffer: NetworkEventRecord[] = [];
  let flushing: Promise<void> | null = null;

  function admit(sessionId: string): boolean {
    const t = now();
    const b = buckets.get(sessionId) ?? { tokens: capacity, at: t, throttled: false, dropped: 0, droppedSinceMs: t };
    buckets.set(sessionId, b);
    b.tokens = Math.min(capacity, b.tokens + (Math.max(0, t - b.at) / 1000) * opts.perSecond);
    b.at = t;
    if (b.throttled && b.tokens < capacity / 2) return drop(b, t);
    b.throttled = false;
    if (b.tokens < 1 || buffer.length >= MAX_BUFFERED) {
      b.throttled = true;
      return drop(b, t);
    }
    b.tokens -= 1;
    return true;
  }
  function drop(b: Bucket, t: number): false {
    if (b.dropped === 0) b.droppedSinceMs = t;
    b.dropped++;
    return false;
  }

  async function flush(): Promise<void> {
    if (flushing) return flushing;
    const events = buffer;
    buffer = [];
    const dropped: DroppedRow[] = [];
    for (const [sessionId, b] of buckets) {
      if (b.dropped > 0) dropped.push({ sessionId, atMs: b.droppedSinceMs, count: b.dropped });
      b.dropped = 0;
      // A session quiet for a while is forgotten (its bucket would be full again anyway).
      if (!b.throttled && now() - b.at > BURST_SECONDS * 1000) buckets.delete(sessionId);
    }
    if (!events.length && !dropped.length) return;
    flushing = write(events, dropped).then(() => undefined, (e) => opts.log(`network events: ${(e as Error).message} (${events.length} not recorded)`))
      .finally(() => (flushing = null));
    return flushing;
  }

  const timer = setInterval(() => void flush(), FLUSH_EVERY_MS);
  timer.unref();

  return {
    record(e: NetworkEventRecord) {
      if (admit(e.sessionId)) buffer.push(e);
    },
    flush,
    async close() {
      clearInterval(timer);
      await flushing;
      await flush();
    },
  };
}
export type NetworkEventRecorder = ReturnType<typeof createNetworkEventRecorder>;
