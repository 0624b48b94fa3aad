// The production web server, started the way scripts/start.ts starts it (`npm start`: Next behind
// scripts/web-server.ts, which also serves log followers outside Next's router) on 127.0.0.1, but on
// a free port, with the bench's own environment and its output kept in memory. BENCH_SERVER=next-start
// runs plain `next start` instead (how figures before 2026-12-06 were taken).
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { freePort } from "../../lib/db/embedded-postgres";

const BUILD_TIMEOUT_MS = 15 * 60_000;

/**
 * Runs `next build` once when there is no production build, and returns the build id. When another
 * `next build` holds .next/lock, waits for it (bounded) instead of starting a second one.
 */
export async function ensureProductionBuild(log: (msg: string) => void, cwd = process.cwd()): Promise<string> {
  const buildIdFile = path.join(cwd, ".next", "BUILD_ID");
  const lockFile = path.join(cwd, ".next", "lock");
  if (existsSync(lockFile)) {
    log("another `next build` is running (.next/lock); waiting for it");
    const deadline = Date.now() + BUILD_TIMEOUT_MS;
    while (existsSync(lockFile) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2000));
  }
  if (!existsSync(buildIdFile)) {
    log("no production build (.next/BUILD_ID); running `next build` once");
    const build = spawnSync("npx", ["next", "build"], {
      cwd,
      stdio: "inherit",
      timeout: BUILD_TIMEOUT_MS,
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
    });
    if (build.status !== 0 || !existsSync(buildIdFile)) throw new Error("next build failed");
  }
  return readFileSync(buildIdFile, "utf8").trim();
}

export type RunningServer = {
  url: string;
  port: number;
  pid: number;
  /** The last lines the server printed, for error reports. */
  output: () => string;
  stop: () => Promise<void>;
  /** Synchronous last resort (e.g. in a process 'exit' handler): SIGKILL the server's process group. */
  kill: () => void;
};

export async function startNextServer(opts: {
  env: Record<string, string>;
  cwd?: string;
  port?: number;
  healthPath?: string;
  startTimeoutMs?: number;
  /** Extra node flags for the server process, e.g. ["--cpu-prof"]. */
  nodeArgs?: string[];
}): Promise<RunningServer> {
  const mode = benchServerMode();
  const cwd = opts.cwd ?? process.cwd();
  const port = opts.port ?? (await freePort());
  const nextBin = path.join(cwd, "node_modules", "next", "dist", "bin", "next");
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    for (const line of chunk.toString("utf8").split("\n")) if (line.trim()) lines.push(line);
    if (lines.length > 200) lines.splice(0, lines.length - 200);
  };
  const entry = mode === "next-start" ? [nextBin, "start"] : ["--import", "tsx", path.join(cwd, "scripts", "web-server.ts")];
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), ...entry, "-p", String(port), "-H", "127.0.0.1"], {
    cwd,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", ...opts.env },
    stdio: ["ignore", "pipe", "pipe"],
    // Own process group, so stop() reaches anything the server spawns as well.
    detached: true,
  });
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));

  const server: RunningServer = {
    url: `http://127.0.0.1:${port}`,
    port,
    pid: child.pid!,
    output: () => lines.join("\n"),
    stop: () => stopChild(child, exited),
    kill: () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        /* already gone */
      }
    },
  };
  const healthy = await waitForHealth(`${server.url}${opts.healthPath ?? "/api/health"}`, child, opts.startTimeoutMs ?? 60_000);
  if (!healthy) {
    await server.stop();
    throw new Error(`the server did not answer ${opts.healthPath ?? "/api/health"} with 200; its output:\n${server.output()}`);
  }
  return server;
}

/** Which server the benchmarks start: the production wrapper (default) or plain `next start`. */
export function benchServerMode(): "web-server" | "next-start" {
  return process.env.BENCH_SERVER === "next-start" ? "next-start" : "web-server";
}

export async function waitForHealth(url: string, child: ChildProcess, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && child.exitCode === null && child.signalCode === null) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.ok) return true;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      /* already gone */
    }
  };
  signalGroup("SIGTERM");
  const timedOut = await Promise.race([exited.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), 10_000).unref())]);
  if (timedOut) {
    signalGroup("SIGKILL");
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000).unref())]);
  }
}
