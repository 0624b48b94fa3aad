// The proxy's own answers (never the sandbox's): a short HTML page for a browser, JSON for a client
// that asks for it, in the API's error shape. A 404 says the same for an unknown, ended or another
// tenant's session, so it gives nothing away.
import type http from "node:http";
import type { Duplex } from "node:stream";

export type ProxyRefusal = { status: number; code: string; title: string; message: string; headers?: Record<string, string> };

const REASON: Record<number, string> = { 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 409: "Conflict", 502: "Bad Gateway", 503: "Service Unavailable" };

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function render(r: ProxyRefusal, accept: string | undefined): { type: string; body: string } {
  const wantsJson = /application\/json/.test(accept ?? "") && !/text\/html/.test(accept ?? "");
  if (wantsJson) return { type: "application/json", body: JSON.stringify({ error: { code: r.code, message: r.message } }) };
  return {
    type: "text/html; charset=utf-8",
    body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(r.title)}</title>`
      + `<meta name="viewport" content="width=device-width"></head><body style="font-family:system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem">`
      + `<h1>${escapeHtml(r.title)}</h1><p>${escapeHtml(r.message)}</p><p style="color:#666">Burrow preview · ${r.status}</p></body></html>`,
  };
}

export function sendRefusal(req: http.IncomingMessage, res: http.ServerResponse, r: ProxyRefusal): void {
  const { type, body } = render(r, req.headers.accept);
  if (res.headersSent) return void res.destroy();
  res.writeHead(r.status, { "content-type": type, "content-length": Buffer.byteLength(body), "cache-control": "no-store", ...r.headers });
  res.end(body);
}

/** The same answer on a socket that asked for an upgrade (no ServerResponse there). */
export function refuseUpgrade(req: http.IncomingMessage, socket: Duplex, r: ProxyRefusal): void {
  const { type, body } = render(r, req.headers.accept);
  const extra = Object.entries(r.headers ?? {}).map(([k, v]) => `${k}: ${v}\r\n`).join("");
  socket.end(`HTTP/1.1 ${r.status} ${REASON[r.status] ?? "Error"}\r\ncontent-type: ${type}\r\ncontent-length: ${Buffer.byteLength(body)}\r\n${extra}connection: close\r\n\r\n${body}`);
}

export const refusals = {
  notFound: (): ProxyRefusal => ({ status: 404, code: "not_found", title: "No such preview", message: "There is no preview at this address." }),
  noToken: (): ProxyRefusal => ({
    status: 401, code: "unauthorized", title: "This preview is private",
    message: "Open it with a preview token (POST /api/v1/sessions/{id}/preview-tokens): the X-Burrow-Preview-Token header, or ?burrow_preview_token= once in the URL.",
  }),
  badToken: (): ProxyRefusal => ({ status: 403, code: "forbidden", title: "Preview token refused", message: "The preview token is unknown, expired, or for another session." }),
  noNetwork: (): ProxyRefusal => ({
    status: 409, code: "conflict", title: "This session has no network",
    message: "It was created with network \"none\" (loopback only), so nothing in it can be reached from outside. Create a session with a network to preview its ports.",
  }),
  wakeTimedOut: (seconds: number, port: number): ProxyRefusal => ({
    status: 503, code: "unavailable", title: "The session is still waking up",
    message: `Nothing answered on port ${port} within ${seconds} s of waking the session. Reload in a moment.`, headers: { "retry-after": "5" },
  }),
  wakeFailed: (why: string): ProxyRefusal => ({ status: 503, code: "unavailable", title: "The session could not be woken", message: why, headers: { "retry-after": "5" } }),
  nothingListening: (port: number): ProxyRefusal => ({
    status: 502, code: "bad_gateway", title: `Nothing answers on port ${port}`,
    message: `The session is running, but no server in it accepts connections on port ${port} at its network address (a server bound to 127.0.0.1 only cannot be reached: bind 0.0.0.0).`,
  }),
};
