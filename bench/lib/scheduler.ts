// The real scheduler worker (workers/scheduler) as a child process of the bench, as
// test/runner-process.ts starts one, so the cluster-wide jobs (lost runners, idle policy, …) run
// against the bench's own database while a benchmark drives its runners. Ready once it printed
// "first pass of every job done".
import { spawnWorker, type WorkerProcess } from "./worker-process";

export type BenchScheduler = Pick<WorkerProcess, "pid" | "alive" | "output" | "stop" | "kill">;

export async function startBenchScheduler(opts: { env: Record<string, string>; startTimeoutMs?: number }): Promise<BenchScheduler> {
  const scheduler = spawnWorker("scheduler", opts.env, 10_000);
  const deadline = Date.now() + (opts.startTimeoutMs ?? 60_000);
  while (Date.now() < deadline && scheduler.alive()) {
    if (scheduler.printed("first pass of every job done")) return scheduler;
    await new Promise((r) => setTimeout(r, 100));
  }
  await scheduler.stop();
  throw new Error(`the scheduler did not come up; its output:\n${scheduler.output()}`);
}
