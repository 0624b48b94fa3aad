// The scheduler: cluster-wide periodic work. Each job is a lib/ function run as the system actor;
// a failed run is logged and retried on the next tick, never fatal. Every job takes a scope (tenant
// or runner ids) that tests pass and this scheduler leaves out: all of them.
import { pruneIdempotencyRecords } from "../../lib/api/prune-idempotency";
import { pruneSignInAttempts } from "../../lib/auth/sign-in-throttle";
import { enforceSpendLimits } from "../../lib/billing/enforce-spend-limits";
import { pushUsageToStripe, syncLocalInvoices } from "../../lib/billing/stripe";
import { disconnectDb } from "../../lib/db/client";
import { createLostRunnerJob } from "../../lib/runners/lost-runner-job";
import { applyIdlePolicy } from "../../lib/sessions/apply-idle-policy";
import { collectSnapshotGarbage, expireSnapshots, terminateUnplacedSessions } from "../../lib/snapshots/retention";
import { purgeExpiredTelemetry } from "../../lib/retention/purge-expired-telemetry";
import { rollupUsageJob } from "../../lib/usage/rollup-usage";
import { stopWhenParentGone } from "../watch-parent";

const startedAt = new Date();

type Job = { name: string; everyMs: number; run: () => Promise<unknown> };

const quiet = <T extends Record<string, number>>(fn: () => Promise<T>) => async () => {
  const result = await fn();
  return Object.values(result).some((n) => n > 0) ? result : null;
};

const jobs: Job[] = [
  { name: "prune-idempotency-records", everyMs: 10 * 60_000, run: pruneIdempotencyRecords },
  { name: "prune-sign-in-attempts", everyMs: 10 * 60_000, run: quiet(() => pruneSignInAttempts()) },
  { name: "idle-policy", everyMs: 1_000, run: quiet(applyIdlePolicy) },
  // Silence before this scheduler started (or while it could not read the database) is not
  // counted: after the whole stack was down, runners get the full threshold to register again.
  { name: "declare-lost-runners", everyMs: 5_000, run: quiet(createLostRunnerJob(startedAt)) },
  { name: "terminate-unplaced-sessions", everyMs: 1_000, run: quiet(terminateUnplacedSessions) },
  { name: "expire-snapshots", everyMs: 60_000, run: quiet(expireSnapshots) },
  { name: "collect-snapshot-garbage", everyMs: 60 * 60_000, run: quiet(collectSnapshotGarbage) },
  { name: "purge-expired-telemetry", everyMs: 5 * 60_000, run: quiet(() => purgeExpiredTelemetry()) },
  { name: "rollup-usage", everyMs: 60_000, run: quiet(rollupUsageJob) },
  { name: "enforce-spend-limits", everyMs: 60_000, run: quiet(() => enforceSpendLimits()) },
  // Stripe mode: closed usage hours to Stripe meter events; local mode: our own invoice drafts.
  { name: "push-usage-to-stripe", everyMs: 60_000, run: quiet(pushUsageToStripe) },
  { name: "local-invoice-drafts", everyMs: 10 * 60_000, run: quiet(() => syncLocalInvoices()) },
];

const timers: NodeJS.Timeout[] = [];

async function runJob(job: Job) {
  try {
    const result = await job.run();
    if (result) console.log(`[scheduler] ${job.name}: ${JSON.stringify(result)}`);
  } catch (err) {
    console.error(`[scheduler] ${job.name} failed; will retry:`, err instanceof Error ? err.message : err);
  }
}

const firstPass = jobs.map((job) => runJob(job));
for (const job of jobs) timers.push(setInterval(() => void runJob(job), job.everyMs));
console.log(`[scheduler] running ${jobs.length} job(s)`);
void Promise.all(firstPass).then(() => console.log("[scheduler] first pass of every job done"));

const stop = async () => {
  for (const t of timers) clearInterval(t);
  await disconnectDb();
  process.exit(0);
};
process.on("SIGTERM", () => void stop());
process.on("SIGINT", () => void stop());
stopWhenParentGone(() => void stop(), (msg) => console.log(`[scheduler] ${msg}`));
