// A small JSON client for the REST API over node:http: keep-alive agent (maxSockets bounds how many
// requests are really simultaneous), bearer key, per-request timeout. Only talks to 127.0.0.1.
import http from "node:http";

export type JsonResponse<T = unknown> = { status: number; body: T; text: string };

export type JsonClient = {
  request<T = unknown>(method: "GET" | "POST" | "DELETE" | "PUT", path: string, body?: unknown, timeoutMs?: number): Promise<JsonResponse<T>>;
  /** Like request, but rejects unless the status is 2xx (with the status and the start of the body). */
  ok<T = unknown>(method: "GET" | "POST" | "DELETE" | "PUT", path: string, body?: unknown, timeoutMs?: number): Promise<T>;
  close(): void;
};

export class HttpStatusError extends Error {
  constructor(readonly status: number, readonly text: string, what: string) {
    super(`${what} answered ${status}: ${text.slice(0, 300)}`);
  }
}

export function createJsonClient(opts: { baseUrl: string; apiKey: string; maxSockets: number; timeoutMs?: number }): JsonClient {
  const url = new URL(opts.baseUrl);
  if (url.hostname !== "127.0.0.1") throw new Error("the bench only talks to 127.0.0.1");
  const agent = new http.Agent({ keepAlive: true, maxSockets: opts.maxSockets, maxFreeSockets: opts.maxSockets, scheduling: "fifo" });
  const defaultTimeout = opts.timeoutMs ?? 60_000;

  const request: JsonClient["request"] = (method, path, body, timeoutMs = defaultTimeout) =>
    new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
      const headers: http.OutgoingHttpHeaders = { authorization: `Bearer ${opts.apiKey}`, accept: "application/json" };
      if (payload) {
        headers["content-type"] = "application/json";
        headers["content-length"] = payload.length;
      }
      const req = http.request({ agent, host: url.hostname, port: url.port, path, method, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let parsed: unknown = null;
          try {
            parsed = text ? JSON.parse(text) : null;
          } catch {
            /* not JSON: keep the text */
          }
          resolve({ status: res.statusCode ?? 0, body: parsed as never, text });
        });
        res.on("error", reject);
      });
      req.setTimeout(timeoutMs, () => req.destroy(new Error(`${method} ${path}: timeout after ${timeoutMs} ms`)));
      req.on("error", reject);
      req.end(payload);
    });

  return {
    request,
    async ok(method, path, body, timeoutMs) {
      const res = await request(method, path, body, timeoutMs);
      if (res.status < 200 || res.status > 299) throw new HttpStatusError(res.status, res.text, `${method} ${path}`);
      return res.body as never;
    },
    close: () => agent.destroy(),
  };
}
