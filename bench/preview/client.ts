// The preview bench's client, run inside the runner-host namespace (ip netns exec) so that the
// direct baseline and the proxied request start from the same place: `direct` is the sandbox's
// bridge address, `proxied` the preview proxy on 127.0.0.1 with the preview Host and token.
// Prints one JSON line. Modes: latency (sequential keep-alive requests, interleaved direct and
// proxied), throughput (one large body each way, several runs), first-byte (one proxied request).
import http from "node:http";
import { performance } from "node:perf_hooks";

type Args = { mode: "latency" | "throughput" | "first-byte"; address: string; port: number; proxyPort: number; host: string; token: string; requests?: number; warmup?: number; bytes?: number; runs?: number };
const args = JSON.parse(process.argv[2]) as Args;
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function get(proxied: boolean, path: string): Promise<{ ms: number; firstByteMs: number; bytes: number; status: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = http.request({
      agent, host: proxied ? "127.0.0.1" : args.address, port: proxied ? args.proxyPort : args.port, path,
      headers: proxied ? { host: args.host, "x-burrow-preview-token": args.token } : {}, timeout: 120_000,
    }, (res) => {
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

async function main() {
  if (args.mode === "first-byte") {
    const r = await get(true, "/");
    console.log(JSON.stringify({ status: r.status, firstByteMs: r.firstByteMs, totalMs: r.ms }));
  } else if (args.mode === "latency") {
    const direct: number[] = [];
    const proxied: number[] = [];
    let failures = 0;
    for (let i = 0; i < (args.warmup ?? 200) + (args.requests ?? 2000); i++) {
      const measured = i >= (args.warmup ?? 200);
      // Interleaved, so that both see the same moments of machine load.
      for (const viaProxy of i % 2 ? [true, false] : [false, true]) {
        const r = await get(viaProxy, "/");
        if (r.status !== 200) failures++;
        if (measured) (viaProxy ? proxied : direct).push(r.ms);
      }
    }
    console.log(JSON.stringify({ direct, proxied, failures }));
  } else {
    const direct: number[] = [];
    const proxied: number[] = [];
    for (let i = 0; i < (args.runs ?? 3); i++) {
      for (const viaProxy of [false, true]) {
        const r = await get(viaProxy, `/bytes/${args.bytes}`);
        if (r.bytes !== args.bytes) throw new Error(`got ${r.bytes} of ${args.bytes} bytes (${viaProxy ? "proxied" : "direct"})`);
        (viaProxy ? proxied : direct).push(r.bytes / 1e6 / (r.ms / 1000));
      }
    }
    console.log(JSON.stringify({ directMBps: direct, proxiedMBps: proxied }));
  }
  agent.destroy();
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
