// The preview bench's client, run inside the runner-host namespace (ip netns exec) so that every
// column starts from the same place: `direct` is the sandbox's bridge address, `bare` a bare
// node:http proxy with no logic (bare-proxy.mjs on 127.0.0.1), `proxied` the preview proxy on
// 127.0.0.1 with the preview Host and token. Prints one JSON line. Modes: latency (sequential
// keep-alive requests, the three interleaved in a rotating order), throughput (one large body each,
// several runs, rotating), first-byte (one proxied request).
import http from "node:http";
import { performance } from "node:perf_hooks";

type Args = {
  mode: "latency" | "throughput" | "first-byte"; address: string; port: number; proxyPort: number; bareProxyPort: number; host: string; token: string;
  requests?: number; warmup?: number; bytes?: number; runs?: number;
};
type Column = "direct" | "bare" | "proxied";
const args = JSON.parse(process.argv[2]) as Args;
const COLUMNS: Column[] = ["direct", "bare", "proxied"];
// One kept-alive socket per column, so that no column reuses another's connection.
const agents = { direct: new http.Agent({ keepAlive: true, maxSockets: 1 }), bare: new http.Agent({ keepAlive: true, maxSockets: 1 }), proxied: new http.Agent({ keepAlive: true, maxSockets: 1 }) };

function get(column: Column, path: string): Promise<{ ms: number; firstByteMs: number; bytes: number; status: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const target = column === "direct" ? { host: args.address, port: args.port, headers: {} }
      : column === "bare" ? { host: "127.0.0.1", port: args.bareProxyPort, headers: {} }
      : { host: "127.0.0.1", port: args.proxyPort, headers: { host: args.host, "x-burrow-preview-token": args.token } };
    const req = http.request({ agent: agents[column], ...target, path, timeout: 120_000 }, (res) => {
      const firstByteMs = performance.now() - started;
      let bytes = 0;
      res.on("data", (d: Buffer) => (bytes += d.length));
      res.on("end", () => resolve({ ms: performance.now() - started, firstByteMs, bytes, status: res.statusCode ?? 0 }));
    });
    req.on("timeout", () => req.destroy(new Error("timed out")));
    req.on("error", reject);
    req.end();
  });
}

/** Round i's order: a rotation, so that no column always follows the same one. */
const orderOf = (i: number): Column[] => [0, 1, 2].map((k) => COLUMNS[(i + k) % 3]);

async function main() {
  if (args.mode === "first-byte") {
    const r = await get("proxied", "/");
    console.log(JSON.stringify({ status: r.status, firstByteMs: r.firstByteMs, totalMs: r.ms }));
  } else if (args.mode === "latency") {
    const ms: Record<Column, number[]> = { direct: [], bare: [], proxied: [] };
    let failures = 0;
    const warmup = args.warmup ?? 200;
    for (let i = 0; i < warmup + (args.requests ?? 2000); i++) {
      // Interleaved, so that all three see the same moments of machine load.
      for (const column of orderOf(i)) {
        const r = await get(column, "/");
        if (r.status !== 200) failures++;
        if (i >= warmup) ms[column].push(r.ms);
      }
    }
    console.log(JSON.stringify({ ...ms, failures }));
  } else {
    const mbps: Record<Column, number[]> = { direct: [], bare: [], proxied: [] };
    for (let i = 0; i < (args.runs ?? 3); i++) {
      for (const column of orderOf(i)) {
        const r = await get(column, `/bytes/${args.bytes}`);
        if (r.bytes !== args.bytes) throw new Error(`got ${r.bytes} of ${args.bytes} bytes (${column})`);
        mbps[column].push(r.bytes / 1e6 / (r.ms / 1000));
      }
    }
    console.log(JSON.stringify(mbps));
  }
  for (const a of Object.values(agents)) a.destroy();
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
