// The preview proxy's HTTP server: plain requests are forwarded with node:http (bodies streamed
// both ways, so chunked answers and server-sent events pass as they come), and an Upgrade request
// (WebSocket) is spliced byte for byte onto a TCP connection to the sandbox. Our own credentials
// (the token header, the cookie, the query parameter) never reach the sandbox.
import http from "node:http";
import net from "node:net";
import type { Duplex } from "node:stream";
import { createActivityRecorder, watchSessionChanges } from "../../lib/preview";
import { createAdmission, TOKEN_COOKIE, TOKEN_HEADER, TOKEN_QUERY, type Admitted } from "./admit";
import { refuseUpgrade, refusals, sendRefusal, type ProxyRefusal } from "./pages";

export type PreviewProxyOptions = { domain: string; scheme: "http" | "https"; wakeTimeoutMs: number; log: (m: string) => void };

/** Activity is written at most this often per session and proxy process. */
const ACTIVITY_EVERY_MS = 5_000;
/** A sandbox connection idle this long (no byte either way, e.g. an app thinking before it answers) is cut. */
const UPSTREAM_IDLE_TIMEOUT_MS = 120_000;
const UPSTREAM_CONNECT_TIMEOUT_MS = 10_000;
const HOP_BY_HOP = new Set(["connection", "keep-alive", "proxy-connection", "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade"]);

const isRefusal = (a: Admitted | ProxyRefusal): a is ProxyRefusal => "status" in a;

function withoutOurCookie(cookie: string): string {
  return cookie.split(";").map((c) => c.trim()).filter((c) => c && !c.startsWith(`${TOKEN_COOKIE}=`)).join("; ");
}

/** The request's headers as the sandbox gets them (rawHeaders keep their case and order). */
function forwardedHeaders(req: http.IncomingMessage, keepUpgrade: boolean, scheme: string): string[] {
  const viaTcp = Boolean(req.socket.remoteAddress);
  const out: string[] = [];
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i].toLowerCase();
    if (name === TOKEN_HEADER) continue;
    if (HOP_BY_HOP.has(name) && !(keepUpgrade && (name === "connection" || name === "upgrade"))) continue;
    if (name === "cookie") {
      const rest = withoutOurCookie(raw[i + 1]);
      if (rest) out.push(raw[i], rest);
      continue;
    }
    // Over TCP the client's own X-Forwarded-* are not believed; over the unix socket (0660: a front
    // proxy on this host) they are its word and pass as they are.
    if (name.startsWith("x-forwarded-") && viaTcp) continue;
    out.push(raw[i], raw[i + 1]);
  }
  if (viaTcp) out.push("X-Forwarded-For", req.socket.remoteAddress!, "X-Forwarded-Host", req.headers.host ?? "", "X-Forwarded-Proto", scheme);
  return out;
}

/** The path with our query parameter taken out (it is a credential). */
function upstreamPath(req: http.IncomingMessage): string {
  if (!req.url?.includes(TOKEN_QUERY)) return req.url ?? "/";
  const url = new URL(req.url, "http://preview");
  if (!url.searchParams.has(TOKEN_QUERY)) return req.url ?? "/";
  url.searchParams.delete(TOKEN_QUERY);
  return url.pathname + url.search;
}

export function createPreviewProxy(opts: PreviewProxyOptions): http.Server {
  const admission = createAdmission(opts);
  const stopWatching = watchSessionChanges((id) => admission.sessionChanged(id), opts.log);
  const recordActivity = createActivityRecorder(ACTIVITY_EVERY_MS, opts.log);
  // Kept-alive connections per sandbox address. A hibernated sandbox's address is given to its next
  // start (or another sandbox), and a connection to the one that went never hears a reset: when a
  // session's sandbox changes (a new state since), its address's kept connections are dropped.
  const agents = new Map<string, { since: number; agent: http.Agent }>();
  const agentFor = (address: string, since: number) => {
    const held = agents.get(address);
    if (held && held.since === since) return held.agent;
    held?.agent.destroy();
    const agent = new http.Agent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 64, timeout: 60_000, noDelay: true });
    agents.set(address, { since, agent });
    return agent;
  };

  /** mayRetry: a bodyless request that finds the sandbox gone is admitted once more, from a fresh read (it may be asleep now, or moved). */
  async function onRequest(req: http.IncomingMessage, res: http.ServerResponse, mayRetry = true): Promise<void> {
    const admitted = await admission.admit(req);
    if (isRefusal(admitted)) return sendRefusal(req, res, admitted);
    recordActivity(admitted.session.id);
    if (admitted.exchange && (req.method === "GET" || req.method === "HEAD")) {
      // Once in the URL, then a cookie for this host only (no Domain attribute), until the token expires.
      const maxAge = Math.max(0, Math.floor((admitted.exchange.expiresAt.getTime() - Date.now()) / 1000));
      const secure = opts.scheme === "https" ? "; Secure" : "";
      res.writeHead(303, {
        location: upstreamPath(req),
        "set-cookie": `${TOKEN_COOKIE}=${admitted.exchange.token}; Path=/; Max-Age=${maxAge}; HttpOnly; SameSite=Lax${secure}`,
        "cache-control": "no-store",
        "content-length": 0,
      });
      return void res.end();
    }
    const headers = forwardedHeaders(req, false, opts.scheme);
    const agent = agentFor(admitted.address, admitted.session.stateSince);
    // No body to replay: such a request may be admitted and sent again when the sandbox is not there.
    const bodyless = (req.method === "GET" || req.method === "HEAD") && !req.headers["content-length"] && !req.headers["transfer-encoding"];
    const send = () => {
      const upstream = http.request({
        host: admitted.address, port: admitted.port, method: req.method, path: upstreamPath(req), headers, agent, setHost: false,
        timeout: UPSTREAM_IDLE_TIMEOUT_MS,
      });
      upstream.once("timeout", () => upstream.destroy(new Error("upstream timeout")));
      upstream.on("response", (answer) => {
        upstream.setTimeout(0); // a long stream (SSE) is not a timeout
        const out: string[] = [];
        let knownLength = false;
        const raw = answer.rawHeaders;
        for (let i = 0; i < raw.length; i += 2) {
          const name = raw[i].toLowerCase();
          if (name === "content-length") knownLength = true;
          if (!HOP_BY_HOP.has(name)) out.push(raw[i], raw[i + 1]);
        }
        res.writeHead(answer.statusCode ?? 502, answer.statusMessage, out);
        answer.pipe(res);
        answer.on("error", () => res.destroy());
        if (!knownLength) {
          // The headers go out with the first bytes of the body (one write, not two) when those came
          // in the same read; a stream that has no first event yet (SSE) gets its headers at once
          // all the same: after this turn of the event loop, when the bytes read so far have passed.
          setImmediate(() => {
            if (!res.headersSent && !res.destroyed) res.flushHeaders();
          });
          // A long answer (an event stream, a download) is activity while it flows, not only when it began.
          answer.on("data", () => recordActivity(admitted.session.id));
        }
      });
      upstream.on("error", (e) => {
        if (res.headersSent) return void res.destroy();
        // Refused or unreachable: read the session again (it may have been put to sleep, or moved).
        admission.forget(admitted.session.id);
        if (mayRetry && bodyless) return void onRequest(req, res, false).catch(() => sendRefusal(req, res, refusals.nothingListening(admitted.port)));
        opts.log(`${admitted.session.id}:${admitted.port}: ${e.message}`);
        sendRefusal(req, res, refusals.nothingListening(admitted.port));
      });
      res.once("close", () => {
        if (!res.writableFinished) upstream.destroy();
      });
      if (bodyless) upstream.end();
      else req.pipe(upstream);
    };
    send();
  }

  async function onUpgrade(req: http.IncomingMessage, client: Duplex, head: Buffer) {
    client.on("error", () => {});
    const admitted = await admission.admit(req);
    if (isRefusal(admitted)) return refuseUpgrade(req, client, admitted);
    recordActivity(admitted.session.id);
    const upstream = net.connect({ host: admitted.address, port: admitted.port });
    upstream.setNoDelay(true);
    upstream.setTimeout(UPSTREAM_CONNECT_TIMEOUT_MS, () => upstream.destroy(new Error("connect timeout")));
    upstream.once("connect", () => {
      upstream.setTimeout(0);
      const headers = forwardedHeaders(req, true, opts.scheme);
      let text = `${req.method} ${upstreamPath(req)} HTTP/1.1\r\n`;
      for (let i = 0; i < headers.length; i += 2) text += `${headers[i]}: ${headers[i + 1]}\r\n`;
      upstream.write(`${text}\r\n`);
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
      // An open WebSocket is activity while messages pass (the recorder writes at most every few seconds).
      const active = () => recordActivity(admitted.session.id);
      upstream.on("data", active);
      client.on("data", active);
    });
    upstream.on("error", (e) => {
      if (upstream.bytesRead === 0 && client.writable && !upstream.readableEnded) {
        admission.forget(admitted.session.id);
        opts.log(`${admitted.session.id}:${admitted.port} (upgrade): ${e.message}`);
        return refuseUpgrade(req, client, refusals.nothingListening(admitted.port));
      }
      client.destroy();
    });
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  }

  const server = http.createServer({ noDelay: true }, (req, res) => {
    onRequest(req, res).catch((e) => {
      opts.log(`request failed: ${(e as Error).message}`);
      sendRefusal(req, res, { status: 503, code: "unavailable", title: "Preview unavailable", message: "The preview proxy could not serve this request; retry shortly.", headers: { "retry-after": "2" } });
    });
  });
  server.on("upgrade", (req, socket, head) => {
    onUpgrade(req, socket, head).catch((e) => {
      opts.log(`upgrade failed: ${(e as Error).message}`);
      refuseUpgrade(req, socket, { status: 503, code: "unavailable", title: "Preview unavailable", message: "Retry shortly.", headers: { "retry-after": "2" } });
    });
  });
  server.on("close", () => {
    void stopWatching();
    for (const { agent } of agents.values()) agent.destroy();
  });
  // A long-lived stream must not be cut by the server's request timeout.
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
  return server;
}
