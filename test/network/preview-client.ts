// Requests to the preview proxy over its unix socket (PREVIEW_SOCKET): the proxy runs in the test
// world's runner-host namespace, which the test process cannot reach over TCP; a unix socket is a
// file, reachable from any network namespace. Plain requests, an event stream, a WebSocket echo.
import { randomBytes } from "node:crypto";
import http from "node:http";

export type ProxyAnswer = { status: number; headers: http.IncomingHttpHeaders; body: string };

export function proxyRequest(socketPath: string, host: string, path = "/", headers: Record<string, string> = {}, method = "GET"): Promise<ProxyAnswer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath, path, method, headers: { host, ...headers }, timeout: 60_000 }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("timeout", () => req.destroy(new Error("proxy request timed out")));
    req.on("error", reject);
    req.end();
  });
}

/** The events of a server-sent event stream, each with the ms since the request was sent. */
export function readEventStream(socketPath: string, host: string, path: string, headers: Record<string, string>): Promise<{ status: number; contentType: string; events: { data: string; atMs: number }[] }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const events: { data: string; atMs: number }[] = [];
    const req = http.request({ socketPath, path, headers: { host, accept: "text/event-stream", ...headers }, timeout: 30_000 }, (res) => {
      let pending = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => {
        pending += d;
        let at: number;
        while ((at = pending.indexOf("\n\n")) >= 0) {
          const block = pending.slice(0, at);
          pending = pending.slice(at + 2);
          const data = block.split("\n").find((l) => l.startsWith("data: "));
          if (data) events.push({ data: data.slice(6), atMs: Date.now() - started });
        }
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers["content-type"]), events }));
    });
    req.on("timeout", () => req.destroy(new Error("event stream timed out")));
    req.on("error", reject);
    req.end();
  });
}

/** Opens a WebSocket through the proxy, sends one short text message and returns the reply. */
export function websocketEcho(socketPath: string, host: string, message: string, headers: Record<string, string>): Promise<{ status: number; reply: string | null }> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      socketPath, path: "/ws", headers: { host, connection: "Upgrade", upgrade: "websocket", "sec-websocket-version": "13", "sec-websocket-key": randomBytes(16).toString("base64"), ...headers }, timeout: 30_000,
    });
    req.on("upgrade", (res, socket) => {
      const payload = Buffer.from(message);
      const mask = randomBytes(4);
      const masked = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]));
      socket.write(Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, masked]));
      let buf = Buffer.alloc(0);
      socket.on("data", (d: Buffer) => {
        buf = Buffer.concat([buf, d]);
        if (buf.length >= 2 && buf.length >= 2 + (buf[1] & 0x7f)) {
          const reply = buf.subarray(2, 2 + (buf[1] & 0x7f)).toString("utf8");
          socket.destroy();
          resolve({ status: res.statusCode ?? 0, reply });
        }
      });
      socket.on("error", reject);
    });
    req.on("response", (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, reply: null });
    });
    req.on("timeout", () => req.destroy(new Error("websocket timed out")));
    req.on("error", reject);
    req.end();
  });
}
