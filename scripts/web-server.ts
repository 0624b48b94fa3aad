// The production web process (`npm start`): Next's request handler behind our own HTTP server,
// which first refuses what Next cannot take, in the API's JSON error shape
// (lib/api/screen-request.ts): a method Next's web Request refuses or no route serves (TRACE,
// CONNECT: Next 16 throws building the Request, before proxy.ts could run, and answers 500) is
// 405, and a path that is not percent-encoded UTF-8 (`%ff`, which Next answers with a 500) is 400.
// Usage: node --import tsx scripts/web-server.ts -p <port> -H <host>
import http from "node:http";
import { stampPeerAddress } from "../lib/api/peer-address";
import { screenApiRequest } from "../lib/api/screen-request";
import { newId } from "../lib/ids";

const arg = (flag: string) => {
  const i = process.argv.indexOf(flag);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const port = Number(arg("-p") ?? 3000);
const hostname = arg("-H") ?? "127.0.0.1";

/**
 * Requests served by their app/api handler directly (lib/api/serve-node-request.ts), not through
 * Next's router: following a session's log, which holds its request open for hours and would keep
 * Next's suspended request pipeline alive all that time. The handler is the same module Next serves
 * (and serves alone under `next dev`); only the plumbing differs. A log page or download still goes
 * through Next (its gzip).
 */
async function directRoutes() {
  const { serveNodeRequest } = await import("../lib/api/serve-node-request");
  const logs = await import("../app/api/v1/sessions/[id]/logs/route");
  const FALSE = new Set(["false", "0", "no", "off", "n", "disabled"]);
  const follows = (req: http.IncomingMessage) => {
    const follow = new URLSearchParams((req.url ?? "").split("?")[1] ?? "").get("follow");
    return follow !== null ? !FALSE.has(follow.toLowerCase()) : String(req.headers.accept ?? "").includes("text/event-stream");
  };
  const table = [{ method: "GET", pattern: /^\/api\/v1\/sessions\/([^/]+)\/logs$/, when: follows, handler: logs.GET, names: ["id"] }];
  return {
    serve: serveNodeRequest,
    match(req: http.IncomingMessage, pathname: string) {
      for (const r of table) {
        const m = req.method === r.method ? r.pattern.exec(pathname) : null;
        if (!m || !r.when(req)) continue;
        try {
          return { handler: r.handler, params: Object.fromEntries(r.names.map((n, i) => [n, decodeURIComponent(m[i + 1])])) };
        } catch {
          return null;
        }
      }
      return null;
    },
  };
}

async function main() {
  // As `next start` does: a production server unless told otherwise (set before Next loads).
  (process.env as Record<string, string | undefined>).NODE_ENV ||= "production";
  const { default: next } = await import("next");
  const app = next({ dev: false, dir: process.cwd(), hostname, port });
  const handle = app.getRequestHandler();
  await app.prepare();
  // Imported after NODE_ENV is set: lib/env.ts reads it once.
  const direct = await directRoutes();
  const server = http.createServer((req, res) => {
    // The audit log's client address (lib/api/client-ip.ts); instrumentation.ts does the same under next dev.
    stampPeerAddress(req);
    const requestId = String(req.headers["x-request-id"] ?? "").slice(0, 64) || newId("req");
    const pathname = (req.url ?? "/").split("?")[0];
    const refusal = screenApiRequest(req.method ?? "GET", pathname, requestId);
    const route = refusal ? null : direct.match(req, pathname);
    if (route) {
      direct.serve(req, res, route.handler, route.params).catch((err: unknown) => {
        console.error(`web: failed to handle ${req.method} ${req.url}`, err);
        if (!res.headersSent) res.statusCode = 500;
        res.end("Internal Server Error");
      });
      return;
    }
    if (!refusal) {
      // As `next start` does: a throw out of Next is a 500, never an unhandled rejection.
      handle(req, res).catch((err: unknown) => {
        console.error(`web: failed to handle ${req.method} ${req.url}`, err);
        if (!res.headersSent) res.statusCode = 500;
        res.end("Internal Server Error");
      });
      return;
    }
    req.resume();
    res.writeHead(refusal.status, Object.fromEntries(refusal.headers));
    void refusal.text().then((body) => res.end(body));
  });
  // Node hands CONNECT to its own event and would drop the connection unanswered.
  server.on("connect", (req: http.IncomingMessage, socket: import("node:stream").Duplex) => {
    const refusal = screenApiRequest("CONNECT", "/", newId("req"))!;
    void refusal.text().then((body) => {
      const head = [...refusal.headers].map(([k, v]) => `${k}: ${v}\r\n`).join("");
      socket.end(`HTTP/1.1 405 Method Not Allowed\r\n${head}content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
    });
  });
  server.listen(port, hostname, () => console.log(`web: listening on http://${hostname}:${port}`));
  const stop = () => {
    server.close();
    void app.close().finally(() => process.exit(0));
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

main().catch((err) => {
  console.error("web: failed to start", err);
  process.exit(1);
});
