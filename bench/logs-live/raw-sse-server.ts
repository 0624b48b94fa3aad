// The baseline for holding and feeding SSE clients: a bare node:http server in its own process that
// keeps every GET as an event stream and, on POST /broadcast, writes one event (the same bytes our
// API sends for a line) to every stream. No auth, no database, no framework: the floor.
import { type ChildProcess, spawn } from "node:child_process";

const SERVER = `
const http = require("node:http");
const clients = new Set();
let seq = 0;
const server = http.createServer((req, res) => {
  if (req.method === "POST") {
    seq += 1;
    const chunk = Buffer.from("id: " + seq + "\\ndata: " + JSON.stringify({ seq, stream: "stdout", source: "bench", at: new Date().toISOString(), line: "broadcast " + seq }) + "\\n\\n");
    for (const c of clients) c.write(chunk);
    res.end(String(clients.size));
    return;
  }
  res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store" });
  res.write("retry: 2000\\n\\n");
  clients.add(res);
  req.on("close", () => clients.delete(res));
});
server.listen(0, "127.0.0.1", () => console.log("PORT " + server.address().port));
`;

export type RawSseServer = { url: string; pid: number; broadcast(): Promise<number>; stop(): Promise<void>; kill(): void };

export async function startRawSseServer(): Promise<RawSseServer> {
  const child: ChildProcess = spawn(process.execPath, ["-e", SERVER], { stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the raw SSE server did not start")), 10_000);
    child.stdout!.on("data", (c: Buffer) => {
      const m = /PORT (\d+)/.exec(c.toString());
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.once("exit", () => reject(new Error("the raw SSE server exited")));
  });
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  return {
    url,
    pid: child.pid!,
    async broadcast() {
      const res = await fetch(`${url}/broadcast`, { method: "POST" });
      return Number(await res.text());
    },
    async stop() {
      child.kill("SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000).unref())]);
    },
    kill: () => void child.kill("SIGKILL"),
  };
}
