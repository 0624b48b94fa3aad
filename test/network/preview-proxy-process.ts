// The real preview proxy (workers/preview-proxy) in the test world's runner-host namespace, started
// with `ip netns exec` so that it reaches sandboxes at their bridge addresses as on a real runner
// host. Two unix sockets cross the namespace boundary (files are not namespaced): one the proxy
// listens on (PREVIEW_SOCKET) for the test's requests, and a relay to the test run's Postgres,
// which listens on 127.0.0.1 of the root namespace only.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

export type PreviewProxyProcess = {
  socketPath: string;
  /** The TCP port inside the runner-host namespace (for curl there). */
  port: number;
  domain: string;
  hostOf: (port: number, sessionId: string) => string;
  output: () => string;
  stop: () => Promise<void>;
};

/** A unix socket that forwards every connection to 127.0.0.1:port; the URL to use it as Postgres. */
function postgresRelay(dir: string, databaseUrl: string): { url: string; close: () => void } {
  const url = new URL(databaseUrl);
  const port = Number(url.port || 5432);
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect({ host: url.hostname, port });
    sockets.add(client).add(upstream);
    client.pipe(upstream).pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on("error", end).on("close", end);
    upstream.on("error", end).on("close", end);
  });
  server.listen(path.join(dir, `.s.PGSQL.${port}`));
  const relayed = new URL(databaseUrl);
  relayed.hostname = "localhost";
  relayed.searchParams.set("host", dir);
  return { url: relayed.toString(), close: () => {
    server.close();
    for (const s of sockets) s.destroy();
  } };
}

export async function startPreviewProxy(hostNetns: string, opts: { port?: number; wakeTimeoutMs?: number; databaseUrl?: string; nodeArgs?: string[] } = {}): Promise<PreviewProxyProcess> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "burrow-preview-"));
  const relay = postgresRelay(dir, opts.databaseUrl ?? process.env.DATABASE_URL!);
  const port = opts.port ?? 4001;
  const domain = `localhost:${port}`;
  const socketPath = path.join(dir, "preview.sock");
  let output = "";
  const child: ChildProcess = spawn("ip", ["netns", "exec", hostNetns, process.execPath, ...(opts.nodeArgs ?? []), "--import", "tsx", "workers/preview-proxy/index.ts"], {
    env: {
      ...process.env, DATABASE_URL: relay.url, PREVIEW_PORT: String(port), PREVIEW_HOST: "127.0.0.1", PREVIEW_DOMAIN: domain, PREVIEW_SOCKET: socketPath,
      PREVIEW_WAKE_TIMEOUT_MS: String(opts.wakeTimeoutMs ?? 30_000), DATABASE_POOL_SIZE: "5",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (d) => (output += d));
  child.stderr?.on("data", (d) => (output += d));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const deadline = Date.now() + 30_000;
  while (!output.includes("ready:") && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 100));
  if (!output.includes("ready:")) {
    child.kill("SIGKILL");
    relay.close();
    throw new Error(`preview proxy did not start:\n${output}`);
  }
  return {
    socketPath, port, domain,
    hostOf: (p, id) => `${p}-${id.toLowerCase()}.${domain}`,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
      relay.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
