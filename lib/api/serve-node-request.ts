// Serves one node:http request with a route handler of app/api directly, outside Next.js: the
// request becomes a web Request (as in the integration tests), and the Response goes to the socket
// through one reader loop that honours backpressure (a full socket stops the reads, so the stream's
// own queue and its cut-loose rule work as under Next) and cancels the body when the client goes.
//
// Why: Next keeps its whole request pipeline suspended while a response streams (measured: ~78 KiB
// of live heap per idle log follower, against ~19 KiB for a bare node:http event stream), and a
// log follower holds its request for hours. scripts/web-server.ts sends those routes here.
import type { IncomingMessage, ServerResponse } from "node:http";

export type RouteHandler = (req: Request, route: { params: Promise<Record<string, string>> }) => Promise<Response>;

export async function serveNodeRequest(req: IncomingMessage, res: ServerResponse, handler: RouteHandler, params: Record<string, string>): Promise<void> {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else headers.set(name, value);
  }
  const closed = new AbortController();
  res.once("close", () => {
    if (!res.writableFinished) closed.abort();
  });
  // Only bodiless methods come here (GET): the body is not read.
  req.resume();
  const request = new Request(`http://${req.headers.host ?? "localhost"}${req.url ?? "/"}`, { method: req.method, headers, signal: closed.signal });
  const response = await handler(request, { params: Promise.resolve(params) });
  const head: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    if (name !== "set-cookie") head[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) head["set-cookie"] = cookies;
  res.writeHead(response.status, head);
  if (!response.body || closed.signal.aborted) {
    await response.body?.cancel().catch(() => {});
    res.end();
    return;
  }
  // Headers out now: an event stream's first event may come much later.
  res.flushHeaders();
  const reader = response.body.getReader();
  const cancel = () => void reader.cancel().catch(() => {});
  closed.signal.addEventListener("abort", cancel, { once: true });
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      if (!res.write(value)) await drained(res, closed.signal);
      if (closed.signal.aborted) return;
    }
    res.end();
  } catch (err) {
    // The stream failed or was errored on purpose (a client cut loose): close the connection, as
    // Next does, rather than end a stream the client would take as complete.
    if ((err as Error)?.name !== "AbortError") console.error(`web: ${req.method} ${req.url} stream failed`, err);
    res.destroy();
  } finally {
    closed.signal.removeEventListener("abort", cancel);
  }
}

function drained(res: ServerResponse, closed: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done);
      closed.removeEventListener("abort", done);
      resolve();
    };
    res.once("drain", done);
    closed.addEventListener("abort", done, { once: true });
  });
}
