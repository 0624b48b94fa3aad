// The real scheduler worker (workers/scheduler) as a child process of the bench, as
// test/runner-process.ts starts one, so the cluster-wide jobs (lost runners, idle policy, …) run
// against the bench's own database while a benchmark drives its runners. Ready once it printed
// "first pass of every job done".
import { type ChildProcess, spawn } from "node:child_process";

export type BenchScheduler = {
  pid: number;
  alive: () => boolean;
  /** What it printed (the last 400 lines). */
  output: () => string;
  /** SIGTERM and wait (bounded; SIGKILL after 10 s). */
  stop: () => Promise<void>;
  /** Synchronous last resort on process exit. */
  kill: () => void;
};

export async function startBenchScheduler(opts: { env: Record<string, string>; startTimeoutMs?: number }): Promise<BenchScheduler> {
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    for (const line of chunk.toString("utf8").split("\n")) if (line.trim()) lines.push(line);
    if (lines.length > 400) lines.splice(0, lines.length - 400);
  };
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", "workers/scheduler/index.ts"], {
    env: { ...process.env, ...opts.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const alive = () => child.exitCode === null && child.signalCode === null;

  const scheduler: BenchScheduler = {
    pid: child.pid!,
    alive,
    output: () => lines.join("\n"),
    async stop() {
      if (!alive()) return;
      child.kill("SIGTERM");
      const timedOut = await Promise.race([exited.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), 10_000).unref())]);
      if (timedOut) {
        child.kill("SIGKILL");
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000).unref())]);
      }
    },
    kill: () => {
      if (alive()) child.kill("SIGKILL");
    },
  };

  const deadline = Date.now() + (opts.startTimeoutMs ?? 60_000);
  while (Date.now() < deadline && alive()) {
    if (lines.some((l) => l.includes("first pass of every job done"))) return scheduler;
    await new Promise((r) => setTimeout(r, 100));
  }
  await scheduler.stop();
  throw new Error(`the scheduler did not come up; its output:\n${scheduler.output()}`);
}
