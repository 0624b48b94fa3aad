// The scheduler: cluster-wide periodic work. Each job is a lib/ function run as the system actor;
// a failed run is logged and retried on the next tick, never fatal.
import { pruneIdempotencyRecords } from "../../lib/api/prune-idempotency";
import { disconnectDb } from "../../lib/db/client";

type Job = { name: string; everyMs: number; run: () => Promise<unknown> };

const jobs: Job[] = [{ name: "prune-idempotency-records", everyMs: 10 * 60_000, run: pruneIdempotencyRecords }];

const timers: NodeJS.Timeout[] = [];

async function runJob(job: Job) {
  try {
    const result = await job.run();
    if (result) console.log(`[scheduler] ${job.name}: ${JSON.stringify(result)}`);
  } catch (err) {
    console.error(`[scheduler] ${job.name} failed; will retry:`, err instanceof Error ? err.message : err);
  }
}

for (const job of jobs) {
  void runJob(job);
  timers.push(setInterval(() => void runJob(job), job.everyMs));
}
console.log(`[scheduler] running ${jobs.length} job(s)`);

const stop = async () => {
  for (const t of timers) clearInterval(t);
  await disconnectDb();
  process.exit(0);
};
process.on("SIGTERM", () => void stop());
process.on("SIGINT", () => void stop());
