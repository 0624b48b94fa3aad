// The runner's end of the sandbox OTLP relay: an HTTP server on a unix socket that passes OTLP
// exports (and nothing else) on to the web app's /api/otlp. Sandboxes have no network; the relay
// inside each sandbox's network namespace (sandbox-relays.ts) connects to this socket.
import { chmodSync, rmSync } from "node:fs";
import http from "node:http";
import { Readable } from "node:stream";

const ALLOWED = new Set(["/api/otlp/v1/traces", "/api/otlp/v1/logs"]);
const PASSED_HEADERS = ["authorization", "content-type", "content-encoding", "traceparent"];

export async function startOtlpForwarder(opts: { socketPath: string; forwardUrl: string; log?: (m: string) => void }): Promise<http.Server> {
  const base = opts.forwardUrl.replace(/\/+$/, "");
  const server = http.createServer(async (req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method !== "POST" || !ALLOWED.has(path)) {
      res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ code: 5, message: "Only POST /api/otlp/v1/traces and /api/otlp/v1/logs are relayed" }));
      return;
    }
    const headers: Record<string, string> = {};
    for (const h of PASSED_HEADERS) if (typeof req.headers[h] === "string") headers[h] = req.headers[h] as string;
    try {
      const answer = await fetch(`${base}${path}`, {
        method: "POST", headers, body: Readable.toWeb(req) as ReadableStream<Uint8Array>,
        signal: AbortSignal.timeout(30_000),
        // @ts-expect-error Node's fetch needs this to stream a request body.
        duplex: "half",
      });
      const out: Record<string, string> = {};
      for (const h of ["content-type", "retry-after"]) if (answer.headers.get(h)) out[h] = answer.headers.get(h)!;
      res.writeHead(answer.status, out);
      res.end(Buffer.from(await answer.arrayBuffer()));
    } catch (err) {
      opts.log?.(`OTLP relay: could not reach ${base}: ${(err as Error).message}`);
      if (!res.headersSent) res.writeHead(503, { "content-type": "application/json", "retry-after": "5" });
      res.end(JSON.stringify({ code: 14, message: "Burrow's OTLP endpoint is unreachable from the runner; retry" }));
    }
  });
  rmSync(opts.socketPath, { force: true });
  await new Promise<void>((resolve, reject) => server.once("error", reject).listen(opts.socketPath, () => resolve()));
  chmodSync(opts.socketPath, 0o600); // the runner (root) and the relays it starts are its only clients
  return server;
}
