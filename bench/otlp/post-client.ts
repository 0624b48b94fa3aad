// Keep-alive POSTs of raw bodies for the OTLP benchmark (bench/lib/http-client.ts only GETs).
import http from "node:http";

export function createPostClient(opts: { baseUrl: string; maxSockets: number; timeoutMs?: number }) {
  const url = new URL(opts.baseUrl);
  if (url.hostname !== "127.0.0.1" && url.hostname !== "localhost") throw new Error("the bench only talks to 127.0.0.1");
  const agent = new http.Agent({ keepAlive: true, maxSockets: opts.maxSockets, maxFreeSockets: opts.maxSockets, scheduling: "fifo" });
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const post = (path: string, body: Buffer, headers: http.OutgoingHttpHeaders) =>
    new Promise<{ status: number; body: Buffer }>((resolve, reject) => {
      const req = http.request(
        { agent, host: url.hostname, port: url.port, path, method: "POST", headers: { ...headers, "content-length": body.length } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
          res.on("error", reject);
        },
      );
      req.setTimeout(timeoutMs, () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)));
      req.on("error", reject);
      req.end(body);
    });
  return { post, close: () => agent.destroy() };
}
