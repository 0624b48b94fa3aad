// A runner on a host that cannot run sandboxes still registers, as unhealthy with its reason, and
// heartbeats: placement skips it, and a session create (and so the console's "Start session") and
// the Runners page say why no session can start, instead of "no runner is online". It serves
// nothing (no address) and holds no sessions: those it held are given up as for a lost runner, which
// is what happened to them before when such a runner did not register at all.
import os from "node:os";
import { disconnectDb } from "../../lib/db/client";
import { databaseUrlOrThrow, env } from "../../lib/env";
import { giveUpSessions } from "../../lib/runners/declare-lost-runners";
import { startHeartbeatThread } from "../../lib/runners/heartbeat-thread";
import { markRunnerOffline, registerRunner, runnerStanding } from "../../lib/runners/runner-registry";
import { stopWhenParentGone } from "../watch-parent";

const REMIND_EVERY_MS = 60_000;

export async function runUnhealthyRunner(reason: string, log: (msg: string) => void): Promise<void> {
  log(`cannot run sandboxes: ${reason}`);
  const name = env.RUNNER_NAME ?? os.hostname();
  const register = async () => {
    const row = await registerRunner({
      name, address: "", backend: env.SANDBOX_RUNTIME.split("/").pop() ?? env.SANDBOX_RUNTIME,
      vcpu: env.RUNNER_VCPU ?? os.cpus().length * env.RUNNER_CPU_OVERCOMMIT,
      memoryMib: env.RUNNER_MEMORY_MIB ?? Math.floor(os.totalmem() / 1024 / 1024),
      gpus: env.RUNNER_GPUS, labels: JSON.parse(env.RUNNER_LABELS) as Record<string, string>,
      capabilities: { memorySnapshots: false, runtime: env.SANDBOX_RUNTIME }, unhealthyReason: reason,
    });
    const given = await giveUpSessions(row.id);
    if (given.hibernated + given.failed) log(`gave up the sessions this runner held: ${given.hibernated} hibernated, ${given.failed} failed`);
    return row;
  };
  const runner = await register();
  let epoch = runner.epoch;
  log(`registered ${name} as ${runner.id} (epoch ${epoch}) as unhealthy: no session is placed here until this is fixed and Burrow restarted`);
  const heartbeat = startHeartbeatThread({
    databaseUrl: databaseUrlOrThrow(), runnerId: runner.id, epoch,
    onEvent: (e) => (e.type === "fenced" ? void onFenced().catch((err) => log(`fencing: ${err.message}`)) : log(`heartbeat: ${e.message}`)),
  });
  async function onFenced() {
    const standing = await runnerStanding(runner.id, epoch);
    if (standing === "superseded") {
      log(`another runner registered as ${name}; this process exits`);
      process.exit(1);
    }
    if (standing === "lost") epoch = (await register()).epoch;
    heartbeat.setEpoch(epoch);
  }
  const remind = setInterval(() => log(`still cannot run sandboxes: ${reason}`), REMIND_EVERY_MS);
  const stop = async () => {
    clearInterval(remind);
    await heartbeat.stop();
    await markRunnerOffline(runner.id, epoch).catch(() => {});
    await disconnectDb();
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop());
  process.on("SIGINT", () => void stop());
  stopWhenParentGone(() => void stop(), log);
}
