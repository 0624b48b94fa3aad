// A web app for a sandbox, as an agent would serve: a page, its request headers echoed, a
// server-sent event stream, a large body, and a WebSocket echo (handshake and frames by hand:
// node:http only, nothing to install). Usage: node preview-app.mjs PORT [HOST]
import { createHash } from "node:crypto";
import http from "node:http";

const port = Number(process.argv[2] ?? 8000);
const host = process.argv[3] ?? "0.0.0.0";

const server = http.createServer((req, res) => {
  if (req.url?.split("?")[0] === "/headers") {
    res.writeHead(200, { "content-type": "application/json" });
    return res.end(JSON.stringify({ headers: req.headers, url: req.url }));
  }
  if (req.url === "/events") {
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    let n = 0;
    const timer = setInterval(() => {
      n += 1;
      res.write(`id: ${n}\ndata: tick ${n}\n\n`);
      if (n === 3) {
        clearInterval(timer);
        res.end();
      }
    }, 200);
    req.on("close", () => clearInterval(timer));
    return;
  }
  if (req.url?.startsWith("/bytes/")) {
    const size = Math.min(Number(req.url.slice(7)) || 0, 512 * 1024 * 1024);
    const chunk = Buffer.alloc(64 * 1024, 120);
    res.writeHead(200, { "content-type": "application/octet-stream", "content-length": size });
    let left = size;
    const pump = () => {
      while (left > 0) {
        const part = left >= chunk.length ? chunk : chunk.subarray(0, left);
        left -= part.length;
        if (!res.write(part)) return void res.once("drain", pump);
      }
      res.end();
    };
    return pump();
  }
  res.writeHead(200, { "content-type": "text/html" });
  res.end(`<!doctype html><title>sandbox app</title><h1>hello from the sandbox on ${port}</h1>`);
});

server.on("upgrade", (req, socket) => {
  const key = req.headers["sec-websocket-key"];
  const accept = createHash("sha1").update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest("base64");
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
  let buf = Buffer.alloc(0);
  socket.on("data", (d) => {
    buf = Buffer.concat([buf, d]);
    while (buf.length >= 2) {
      const len = buf[1] & 0x7f; // short frames only (< 126 bytes): enough for an echo test
      const masked = (buf[1] & 0x80) !== 0;
      const need = 2 + (masked ? 4 : 0) + len;
      if (buf.length < need) return;
      const mask = masked ? buf.subarray(2, 6) : null;
      const payload = Buffer.from(buf.subarray(need - len, need));
      if (mask) for (let i = 0; i < payload.length; i++) payload[i] ^= mask[i % 4];
      const opcode = buf[0] & 0x0f;
      buf = buf.subarray(need);
      if (opcode === 8) return void socket.end(Buffer.from([0x88, 0]));
      const text = Buffer.from(`echo: ${payload.toString("utf8")}`);
      socket.write(Buffer.concat([Buffer.from([0x81, text.length]), text]));
    }
  });
  socket.on("error", () => {});
});

server.listen(port, host, () => console.log(`listening on ${host}:${port}`));
