// A real runner worker (workers/runner) as a child process of the bench, as test/runner-process.ts
// starts one: its own DATA_DIR (sandboxes and snapshots), a pool label the bench's creates ask for,
// the server's RUNNER_SECRET. Ready when it printed "ready:" and the API lists it online.
import type { JsonClient } from "./json-client";
import { spawnWorker } from "./worker-process";

export type BenchRunner = {
  name: string;
  pool: string;
  pid: number;
  output: () => string;
  /** SIGTERM and wait: the runner leaves its sandboxes running (terminate sessions first). */
  stop: () => Promise<void>;
  /** Synchronous last resort on process exit. */
  kill: () => void;
};

export async function startBenchRunner(opts: {
  name: string;
  pool: string;
  env: Record<string, string>;
  /** How to see the runner online: the API's runner list, or (without a web server) a check of its own. */
  api: JsonClient | { isOnline: (name: string) => Promise<boolean> };
  startTimeoutMs?: number;
}): Promise<BenchRunner> {
  const child = spawnWorker("runner", { ...opts.env, RUNNER_NAME: opts.name, RUNNER_LABELS: JSON.stringify({ pool: opts.pool }) }, 15_000);
  const runner: BenchRunner = { name: opts.name, pool: opts.pool, pid: child.pid, output: child.output, stop: child.stop, kill: child.kill };

  const deadline = Date.now() + (opts.startTimeoutMs ?? 60_000);
  while (Date.now() < deadline && child.alive()) {
    if (child.printed("ready:")) {
      const api = opts.api;
      const online = "isOnline" in api
        ? await api.isOnline(opts.name)
        : (await api.ok<{ data: { name: string; status: string }[] }>("GET", "/api/v1/runners")).data.some((r) => r.name === opts.name && r.status === "online");
      if (online) return runner;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await runner.stop();
  throw new Error(`the runner did not come up; its output:\n${runner.output()}`);
}
