// A real HTTP server on 127.0.0.1 in front of route handlers, for clients that need a socket (an
// OpenTelemetry SDK exporter, a process inside a sandbox): each request becomes a web Request for
// the handler registered for its path, and the Response is written back as it streams. A client
// that disconnects aborts the request's signal and cancels the response body, as Next does.
import http from "node:http";
import { Readable } from "node:stream";

type Handler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;
export type RouteServer = { url: string; requests: number; close: () => Promise<void> };

export async function startRouteServer(routes: Record<string, Handler>): Promise<RouteServer> {
  const state = { requests: 0 };
  const server = http.createServer(async (req, res) => {
    state.requests += 1;
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const handler = routes[url.pathname];
    if (!handler) {
      res.writeHead(404).end();
      return;
    }
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
    const hasBody = req.method !== "GET" && req.method !== "HEAD";
    const clientGone = new AbortController();
    res.on("close", () => {
      if (!res.writableFinished) clientGone.abort();
    });
    const request = new Request(url, {
      method: req.method, headers, signal: clientGone.signal,
      body: hasBody ? (Readable.toWeb(req) as ReadableStream<Uint8Array>) : undefined,
      // @ts-expect-error Node's fetch needs this to stream a request body.
      duplex: "half",
    });
    try {
      const answer = await handler(request, { params: Promise.resolve({}) });
      const headers: Record<string, string | string[]> = Object.fromEntries(answer.headers);
      // Object.fromEntries keeps only the last Set-Cookie; a sign-in sets several.
      if (answer.headers.getSetCookie().length) headers["set-cookie"] = answer.headers.getSetCookie();
      res.writeHead(answer.status, headers);
      if (answer.body) {
        const reader = answer.body.getReader();
        clientGone.signal.addEventListener("abort", () => void reader.cancel().catch(() => {}), { once: true });
        for (let r = await reader.read().catch(() => null); r && !r.done; r = await reader.read().catch(() => null)) res.write(r.value);
      }
      res.end();
    } catch (err) {
      res.writeHead(500).end(String(err));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    get requests() {
      return state.requests;
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
