// A minimal keep-alive HTTP/1.1 client over node:http for load generation: a fixed pool of
// sockets, a per-request timeout, and the response body drained (or returned) on every request.
import http from "node:http";

export type HttpResponse = { status: number; headers: http.IncomingHttpHeaders; body: string };

export type HttpClient = {
  /** Resolves with the status once the whole response has been read; rejects on network errors and timeouts. */
  status(path: string, headers?: http.OutgoingHttpHeaders): Promise<number>;
  /** Like `status`, keeping the headers and body (for checks, not for load). */
  request(path: string, headers?: http.OutgoingHttpHeaders): Promise<HttpResponse>;
  close(): void;
};

export function createHttpClient(opts: { baseUrl: string; maxSockets: number; timeoutMs?: number }): HttpClient {
  const url = new URL(opts.baseUrl);
  if (url.hostname !== "127.0.0.1" && url.hostname !== "localhost") throw new Error("the bench only talks to 127.0.0.1");
  const agent = new http.Agent({ keepAlive: true, maxSockets: opts.maxSockets, maxFreeSockets: opts.maxSockets, scheduling: "fifo" });
  const timeoutMs = opts.timeoutMs ?? 10_000;

  const send = (path: string, headers: http.OutgoingHttpHeaders | undefined, keepBody: boolean) =>
    new Promise<HttpResponse>((resolve, reject) => {
      const req = http.request(
        { agent, host: url.hostname, port: url.port, path, method: "GET", headers },
        (res) => {
          const chunks: Buffer[] = [];
          if (keepBody) res.on("data", (c: Buffer) => chunks.push(c));
          else res.resume();
          res.on("end", () =>
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: keepBody ? Buffer.concat(chunks).toString("utf8") : "" }),
          );
          res.on("error", reject);
        },
      );
      req.setTimeout(timeoutMs, () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)));
      req.on("error", reject);
      req.end();
    });

  return {
    status: async (path, headers) => (await send(path, headers, false)).status,
    request: (path, headers) => send(path, headers, true),
    close: () => agent.destroy(),
  };
}
