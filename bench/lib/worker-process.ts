// A worker (workers/<name>/index.ts) as a child process of the bench: its last 400 output lines
// kept, a bounded stop (SIGTERM, then SIGKILL), and a synchronous kill for process exit.
import { type ChildProcess, spawn } from "node:child_process";

export type WorkerProcess = {
  pid: number;
  alive: () => boolean;
  output: () => string;
  /** Has it printed a line containing `text` (within the kept lines)? */
  printed: (text: string) => boolean;
  /** SIGTERM and wait; SIGKILL after `graceMs`. */
  stop: () => Promise<void>;
  /** Synchronous last resort on process exit. */
  kill: () => void;
};

/** BENCH_WORKER_NODE_ARGS: extra node flags for the workers, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" (not allowed in NODE_OPTIONS). */
const workerNodeArgs = () => (process.env.BENCH_WORKER_NODE_ARGS ?? "").split(" ").filter(Boolean);

export function spawnWorker(worker: string, env: Record<string, string>, graceMs: number): WorkerProcess {
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    for (const line of chunk.toString("utf8").split("\n")) if (line.trim()) lines.push(line);
    if (lines.length > 400) lines.splice(0, lines.length - 400);
  };
  const child: ChildProcess = spawn(process.execPath, [...workerNodeArgs(), "--import", "tsx", `workers/${worker}/index.ts`], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const alive = () => child.exitCode === null && child.signalCode === null;
  return {
    pid: child.pid!,
    alive,
    output: () => lines.join("\n"),
    printed: (text) => lines.some((l) => l.includes(text)),
    async stop() {
      if (!alive()) return;
      child.kill("SIGTERM");
      const timedOut = await Promise.race([exited.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), graceMs).unref())]);
      if (timedOut) {
        child.kill("SIGKILL");
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000).unref())]);
      }
    },
    kill: () => {
      if (alive()) child.kill("SIGKILL");
    },
  };
}
