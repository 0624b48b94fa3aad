// A server-sent events reader for tests: calls a route handler, parses the stream as it comes and
// waits (bounded) until the events seen so far satisfy a condition.
import { SseParser, type SseEvent } from "../lib/api/sse";

type Handler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;

export type { SseEvent };

export type SseClient = {
  status: number;
  headers: Headers;
  events: SseEvent[];
  comments: string[];
  /** Reads until `done(events)` holds; throws after `timeoutMs` or when the stream ends first. */
  until(done: (events: SseEvent[]) => boolean, timeoutMs?: number): Promise<SseEvent[]>;
  /** Resolves with how the stream ended: "closed", or the error it failed with. */
  ended(timeoutMs?: number): Promise<"closed" | Error>;
  close(): Promise<void>;
};

export async function openSse(handler: Handler, opts: { path: string; id: string; headers: Record<string, string> }): Promise<SseClient> {
  const res = await handler(new Request(`http://127.0.0.1${opts.path}`, { headers: opts.headers }), { params: Promise.resolve({ id: opts.id }) });
  const events: SseEvent[] = [];
  const comments: string[] = [];
  if (!res.body || !res.headers.get("content-type")?.includes("text/event-stream")) {
    return { status: res.status, headers: res.headers, events, comments, until: async () => events, ended: async () => "closed", close: async () => {} };
  }
  const reader = res.body.getReader();
  const parser = new SseParser({ event: (e) => events.push(e), comment: (c) => comments.push(c.trim()) });
  let pending: Promise<ReadableStreamReadResult<Uint8Array>> | null = null;
  let finished: "closed" | Error | null = null;

  /** One read, bounded; false when the time ran out (the read stays pending for the next call). */
  const readOnce = async (deadline: number): Promise<boolean> => {
    pending ??= reader.read();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<"timeout">((r) => (timer = setTimeout(() => r("timeout"), Math.max(0, deadline - Date.now()))));
    try {
      const result = await Promise.race([pending, timeout]);
      if (result === "timeout") return false;
      pending = null;
      if (result.done) {
        parser.end();
        finished = "closed";
      } else parser.push(result.value);
      return true;
    } catch (err) {
      pending = null;
      finished = err as Error;
      return true;
    } finally {
      clearTimeout(timer);
    }
  };

  return {
    status: res.status,
    headers: res.headers,
    events,
    comments,
    async until(done, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (!done(events)) {
        if (finished) throw new Error(`the stream ended (${finished === "closed" ? "closed" : finished.message}) after ${events.length} events`);
        if (!(await readOnce(deadline))) throw new Error(`timed out after ${events.length} events: ${events.slice(-3).map((e) => e.data).join(" | ")}`);
      }
      return events;
    },
    async ended(timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (!finished) if (!(await readOnce(deadline))) throw new Error("the stream is still open");
      return finished;
    },
    async close() {
      await reader.cancel().catch(() => {});
    },
  };
}
