// A lean server-sent events client over node:http for benchmarks that hold hundreds of streams:
// one socket per stream (no agent pooling), events parsed incrementally, the arrival time of each
// event taken when its bytes are read (performance.now()). Only talks to 127.0.0.1.
import http from "node:http";
import { performance } from "node:perf_hooks";
import { SseParser } from "../../lib/api/sse";

export type SseClient = {
  /** Events received so far. */
  readonly count: () => number;
  readonly isOpen: () => boolean;
  /** Resolves when the stream ends (closed by either side); `reason` says how. */
  readonly ended: Promise<string>;
  /** Starts reading a stream opened with `paused`. */
  resume(): void;
  /** The id of the last event received. */
  readonly lastId: () => string | null;
  close(): void;
};

export type SseOptions = {
  baseUrl: string;
  path: string;
  apiKey?: string;
  headers?: Record<string, string>;
  /** Called for every event with its id (or null), data and arrival time. */
  onEvent?: (id: string | null, data: string, at: number) => void;
  timeoutMs?: number;
  /** Never read the body (a client that does not keep up): the kernel's buffers fill, then the server's. */
  paused?: boolean;
};

/** Opens the stream; resolves once the response headers are in (rejects on a non-200 answer). */
export function openSse(opts: SseOptions): Promise<SseClient> {
  const url = new URL(opts.path, opts.baseUrl);
  if (url.hostname !== "127.0.0.1") throw new Error("the bench only talks to 127.0.0.1");
  return new Promise((resolve, reject) => {
    const headers: http.OutgoingHttpHeaders = { accept: "text/event-stream", ...opts.headers };
    if (opts.apiKey) headers.authorization = `Bearer ${opts.apiKey}`;
    const req = http.request({ agent: false, host: url.hostname, port: url.port, path: `${url.pathname}${url.search}`, method: "GET", headers });
    const timer = setTimeout(() => req.destroy(new Error(`no answer to ${opts.path} within ${opts.timeoutMs ?? 30_000} ms`)), opts.timeoutMs ?? 30_000);
    req.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.on("response", (res) => {
      clearTimeout(timer);
      if (res.statusCode !== 200) {
        let text = "";
        res.on("data", (c: Buffer) => (text += c.toString("utf8")));
        res.on("end", () => reject(new Error(`GET ${opts.path} answered ${res.statusCode}: ${text.slice(0, 300)}`)));
        return;
      }
      let count = 0;
      let open = true;
      let lastId: string | null = null;
      let resolveEnded!: (reason: string) => void;
      const ended = new Promise<string>((r) => (resolveEnded = r));
      let at = 0;
      const parser = new SseParser({
        event: (e) => {
          count += 1;
          const id = e.id ?? null;
          if (id !== null) lastId = id;
          opts.onEvent?.(id, e.data, at);
        },
      });
      res.on("data", (chunk: Buffer) => {
        at = performance.now();
        parser.push(chunk);
      });
      const end = (reason: string) => {
        open = false;
        resolveEnded(reason);
      };
      res.on("end", () => end("closed by the server"));
      res.on("error", (err) => end(`error: ${err.message}`));
      res.on("close", () => end("closed"));
      if (opts.paused) res.pause();
      resolve({ count: () => count, isOpen: () => open, ended, resume: () => void res.resume(), lastId: () => lastId, close: () => req.destroy() });
    });
    req.end();
  });
}

/** Opens `n` streams, at most `concurrency` connecting at once. */
export async function openMany(n: number, concurrency: number, open: (i: number) => Promise<SseClient>): Promise<SseClient[]> {
  const clients: SseClient[] = new Array(n);
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      clients[i] = await open(i);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));
  } catch (err) {
    for (const c of clients) c?.close();
    throw err;
  }
  return clients;
}
