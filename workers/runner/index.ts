// The runner: one per compute host. Registers itself, heartbeats, serves exec/files for its
// sessions, and converges every session assigned to it from desired to actual state. The database
// is the truth; a NOTIFY only makes it look sooner. After a restart it adopts the containers it
// finds for its sessions; containers of sessions it no longer holds are removed, but their files
// are kept aside (quarantine) unless the session was terminated. Each registration raises the
// runner's epoch: a process whose epoch is no longer the row's acts on nothing (fencing).
import os from "node:os";
import path from "node:path";
import { ListenConnection } from "../../lib/db/listen-connection";
import { databaseUrlOrThrow, env } from "../../lib/env";
import { disconnectDb } from "../../lib/db/client";
import { LogBatcher } from "../../lib/logs/log-batcher";
import { MainOutputTailer } from "../../lib/logs/main-output-tailer";
import { applySessionLogLimits } from "../../lib/logs/session-log-limits";
import { startHeartbeatThread } from "../../lib/runners/heartbeat-thread";
import { parseRunnerNotice, RUNNER_CHANNEL } from "../../lib/runners/notify";
import { SessionWorkQueue } from "../../lib/runners/session-work-queue";
import { decideLifecycleStep } from "../../lib/sessions/lifecycle-step";
import { type DesiredState, isSettled, type SessionState } from "../../lib/sessions/state-machine";
import type { ContainerObservation } from "../../lib/sessions/lifecycle-step";
import { flushPlatformSpans } from "../../lib/telemetry/platform-span";
import { otlpForwardUrl, startRunnerOtlp } from "../../lib/telemetry/otlp-relay/runner-otlp";
import { ReconcileRetries } from "../../lib/runners/reconcile-retry-policy";
import { reconcileWithRetries } from "../../lib/runners/reconcile-with-retries";
import { observeContainer } from "../../lib/sessions/lifecycle-step";
import { checkInitHealth } from "../../lib/runners/check-init-health";
import { createSandboxLimitWatch } from "../../lib/runners/check-sandbox-limits";
import { markRunnerOffline, registerRunner, runnerStanding, sessionOfRunner, sessionsOfRunner } from "../../lib/runners/runner-registry";
import { sessionStateOf } from "../../lib/runners/runner-sessions";
import { sweepHibernateCaches } from "../../lib/runners/hibernate-cache";
import { closeInterruptedExecs } from "../../lib/sessions/interrupted-execs";
import { createRuncBackend, ensureAgentBinary, isPooledSandboxId } from "../../lib/sandbox";
import { createRunnerWarmPool, parseWarmPoolSetting } from "../../lib/warm-pool";
import { runnerNetworking } from "../../lib/network/runner-networking";
import { createNetworkPolicySync } from "../../lib/runners/sync-network-policies";
import { createNetworkMetering } from "../../lib/runners/network-metering";
import { touchSessionActivity } from "../../lib/sessions/record-transition";
import { createResourceSampler } from "../../lib/metrics/resource-sampler";
import { createRunnerTerminals } from "../../lib/terminal/runner-terminals";
import { stopWhenParentGone } from "../watch-parent";
import { startInternalServer } from "./internal-server";
import { checkSandboxReadiness } from "./sandbox-readiness";
import { runUnhealthyRunner } from "./unhealthy-runner";

const log = (msg: string) => console.log(`[runner] ${msg}`);
/** How long one read of the runner's sessions serves its tick timers. */
const TICK_READ_MS = 900;
/** A turn that failed (and will be retried) is tried again after this long. */
const RETRY_AFTER_MS = 1_000;
/** How often the warm pools are topped up besides a notice's refill (README "Warm pools"). */
const WARM_POOL_REFILL_MS = 1_000;
/** How often the inits of running sandboxes are checked (a few /proc reads each). */
const INIT_HEALTH_EVERY_MS = 2_000;

async function main() {
  const stateDir = path.resolve(env.DATA_DIR, "sandboxes");
  const readiness = await checkSandboxReadiness(stateDir, log);
  if (!readiness.ok) {
    // Keep the rest of Burrow up: the console works, and session creates answer with the reason.
    await runUnhealthyRunner(readiness.reason, log);
    return;
  }
  const { version, idMap } = readiness;
  // Egress metering and the flight recorder (README "Network"): counters read before a sandbox's
  // network goes, events from the resolver and the firewall.
  const metering = createNetworkMetering({ eventsPerSecond: env.NETWORK_EVENTS_PER_SECOND, log });
  const network = runnerNetworking(stateDir, log, metering.hooks);
  // Sandboxes with a network from before a restart keep theirs: the bridge, rules and resolver come back now.
  await network?.resume().catch((e) => log(`sandbox network: ${(e as Error).message}`));
  // The exec agent is compiled once per source (node_modules/.cache/burrow); without gcc new
  // sandboxes keep the shell-loop init and `runc exec`.
  const execAgent = env.SANDBOX_EXEC_AGENT === "on" && (await ensureAgentBinary().then(
    (binary) => (log(`exec agent: ${binary}`), true),
    (e: Error) => (log(`exec agent off: ${e.message}`), false),
  ));
  const rawBackend = createRuncBackend({ stateDir, runtimeBinary: env.SANDBOX_RUNTIME, idMap, network, execAgent });
  // Warm pools (WARM_POOL, README "Warm pools"): the runner serves sessions through pool.wrap, which
  // adopts a claimed sandbox on the session's first request.
  let sandboxEnvOf: (s: { id: string }) => Record<string, string> = () => ({});
  const warmPool = createRunnerWarmPool({
    backend: rawBackend, runnerId: () => runnerId, entries: parseWarmPoolSetting(env.WARM_POOL),
    sandboxEnv: (s) => sandboxEnvOf(s), diskLimits: env.SANDBOX_DISK_LIMITS === "on", log,
  });
  const backend = warmPool.wrap(rawBackend);
  if (env.SANDBOX_DISK_LIMITS === "off") log("disk limits are off (SANDBOX_DISK_LIMITS=off): sandboxes write to the data dir's filesystem, unlimited");

  const name = env.RUNNER_NAME ?? os.hostname();
  // Listen first so the registered address is real.
  let runnerId = "";
  let epoch = 0;
  const execsInFlightDir = path.resolve(env.DATA_DIR, "execs-in-flight");
  // Output of every process run in this runner's sandboxes, written to session_logs in batches.
  const logs = new LogBatcher({ log });
  const terminals = createRunnerTerminals(backend);
  // Execs a crash cut off get their end line and audit row before anything new runs.
  await closeInterruptedExecs(execsInFlightDir, log);
  const server = await startInternalServer({ backend, runnerId: () => runnerId, port: env.RUNNER_PORT, logs, terminals, execsInFlightDir });
  const address = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const register = () => registerRunner({
    name, address, backend: backend.name,
    vcpu: env.RUNNER_VCPU ?? os.cpus().length * env.RUNNER_CPU_OVERCOMMIT,
    memoryMib: env.RUNNER_MEMORY_MIB ?? Math.floor(os.totalmem() / 1024 / 1024),
    gpus: env.RUNNER_GPUS,
    labels: JSON.parse(env.RUNNER_LABELS) as Record<string, string>,
    capabilities: { memorySnapshots: false, runtime: env.SANDBOX_RUNTIME, runtimeVersion: version, userNamespaces: idMap !== null, network: network !== null },
  });
  const runner = await register();
  runnerId = runner.id;
  epoch = runner.epoch;
  log(`registered ${name} as ${runnerId} (epoch ${epoch}) at ${address} (${version})`);
  const heartbeat = startHeartbeatThread({
    databaseUrl: databaseUrlOrThrow(), runnerId, epoch,
    onEvent: (e) => (e.type === "fenced" ? void onFenced().catch((err) => log(`fencing: ${err.message}`)) : log(`heartbeat: ${e.message}`)),
  });

  /** Our heartbeat no longer lands: the row was declared lost, or another process took the name. */
  async function onFenced() {
    const standing = await runnerStanding(runnerId, epoch);
    if (standing === "superseded") {
      log(`another runner registered as ${name}; this process stops acting on its sessions and exits`);
      process.exit(1);
    }
    if (standing === "lost") {
      // Declared lost while alive: the sessions given up stay given up (their files go to the
      // quarantine on the next sweep); register again and go on with what is still ours.
      const again = await register();
      epoch = again.epoch;
      heartbeat.setEpoch(epoch);
      log(`was declared lost while alive; registered again (epoch ${epoch})`);
      await sweepOrphans();
      await reconcileAll();
    } else {
      heartbeat.setEpoch(epoch);
    }
  }

  // One sampling loop feeds both the resource metrics and the idle policy's CPU activity rule.
  const sampler = createResourceSampler({ stats: (id) => backend.stats(id), onBusy: (id) => touchSessionActivity(id), busyVcpu: env.IDLE_CPU_THRESHOLD, log });
  // On the same tick: OOM kills, pids-limit hits and a full disk become post-mortems.
  const limitWatch = createSandboxLimitWatch(backend, log);

  // The once-a-second readers (main output, OTLP relays, init health, metrics) share one read of the
  // runner's sessions per TICK_READ_MS: what an idle runner asks the database does not grow with
  // its tick timers. A finished turn drops it, so a session just started is followed at once.
  let tickRead: { at: number; sessions: ReturnType<typeof sessionsOfRunner> } | null = null;
  const currentSessions = () => {
    if (!tickRead || Date.now() - tickRead.at > TICK_READ_MS) {
      const sessions = sessionsOfRunner(runnerId, epoch);
      tickRead = { at: Date.now(), sessions };
      sessions.catch(() => (tickRead = null));
    }
    return tickRead.sessions;
  };

  // OTLP from inside sandboxes: OTEL_* in their env, a relay in each one's network namespace.
  const otlp = await startRunnerOtlp({
    dataDir: env.DATA_DIR, forwardUrl: otlpForwardUrl(), rootOf: (id) => backend.paths(id).root, liveSessions: currentSessions, log,
  });
  const sandboxEnv = otlp.sandboxEnv;
  sandboxEnvOf = sandboxEnv;

  const reconcileDeps = {
    backend, runnerId, sandboxEnv, closeTerminals: (id: string, reason: string) => terminals.closeSession(id, reason), sandboxStarted: otlp.sandboxStarted, log,
    retries: new ReconcileRetries(),
    reread: async (id: string) => (await sessionsOfRunner(runnerId, epoch)).find((s) => s.id === id),
  };

  const syncNetworkPolicies = createNetworkPolicySync(backend, log, (s, line) =>
    void logs.push({ tenantId: s.tenantId, sessionId: s.id }, { stream: "system", source: "platform", at: new Date(), line }));

  // What the last full pass saw of each container, handed to the session's next turn (then dropped).
  const seenByPass = new Map<string, ContainerObservation>();
  const retryTimers = new Map<string, NodeJS.Timeout>();
  /**
   * One session's turn: read it (fenced by the epoch), converge it, apply its network policy. Only
   * sessions something said changed get a turn: a notice naming it, the full pass finding it
   * unsettled or its container not as recorded, or a retry of a failed attempt.
   */
  const work = new SessionWorkQueue({
    concurrency: env.RUNNER_RECONCILE_CONCURRENCY, log,
    work: async (id) => {
      const container = seenByPass.get(id);
      seenByPass.delete(id);
      const session = await sessionOfRunner(id, runnerId, epoch);
      if (!session) return;
      await reconcileWithRetries(session, reconcileDeps, container);
      tickRead = null;
      if (reconcileDeps.retries.attemptsOf(id) > 0 && !retryTimers.has(id)) {
        retryTimers.set(id, setTimeout(() => {
          retryTimers.delete(id);
          work.enqueue(id);
        }, RETRY_AFTER_MS));
      }
      if (session.network) {
        const now = await sessionOfRunner(id, runnerId, epoch);
        if (now) await syncNetworkPolicies([now], { partial: true });
      }
    },
  });

  /**
   * The safety net: every session this runner holds and one look at the runtime, so that what no
   * notice announced (a container gone after a reboot, thawed while paused, a lost notice) is
   * noticed. Sessions whose state, desired state and container agree get no turn; the others are
   * queued. If the runtime cannot list, only unsettled sessions are queued this pass.
   */
  let pass: Promise<void> | null = null;
  let passAgain = false;
  async function reconcileAll(): Promise<void> {
    if (pass) {
      passAgain = true; // asked while reading: another pass after this one
      return pass;
    }
    pass = (async () => {
      const sessions = await sessionsOfRunner(runnerId, epoch);
      await warmPool.linkClaimed(sessions); // before the containers are looked at: a claimed one is the session's
      const containers = await backend.list().then((l) => new Map(l.map((c) => [c.id, c.status]))).catch((e) => {
        log(`listing containers: ${(e as Error).message}`);
        return null;
      });
      for (const s of sessions) {
        if (work.has(s.id)) continue;
        const seen = containers ? observeContainer(containers.get(s.id)) : undefined;
        // filesHere only chooses between steps for a missing container; its turn looks at the files.
        const needsTurn = seen === undefined
          ? !isSettled(s.state as SessionState, s.desiredState as DesiredState)
          : decideLifecycleStep({ state: s.state as SessionState, desired: s.desiredState as DesiredState, container: seen, hasSnapshot: Boolean(s.snapshotId), filesHere: true }).step !== "none";
        if (!needsTurn) continue;
        if (seen) seenByPass.set(s.id, seen);
        work.enqueue(s.id);
      }
      await syncNetworkPolicies(sessions); // as read at the start of the pass
    })().finally(() => {
      pass = null;
      if (passAgain) {
        passAgain = false;
        void reconcileAll().catch((e) => log(`reconcile: ${e.message}`));
      }
    });
    return pass;
  }
  /** Startup and re-registration: every session gets a turn, then wait for all of them. */
  async function convergeAll() {
    const sessions = await sessionsOfRunner(runnerId, epoch);
    await warmPool.linkClaimed(sessions); // before the containers are looked at: a claimed one is the session's
    const containers = await backend.list().then((l) => new Map(l.map((c) => [c.id, c.status]))).catch(() => null);
    for (const s of sessions) {
      if (containers) seenByPass.set(s.id, observeContainer(containers.get(s.id)));
      work.enqueue(s.id);
    }
    await work.idle();
    await syncNetworkPolicies(sessions);
  }

  /**
   * Containers that belong to no session this runner should hold are removed. Their files are
   * deleted only when the session is terminated (or unknown); a session given up while this runner
   * was away (runner_lost: failed, or rolled back to its snapshot) keeps them in the quarantine.
   */
  async function sweepOrphans() {
    if ((await runnerStanding(runnerId, epoch)) !== "current") return; // fenced: decide nothing
    const mine = new Map((await sessionsOfRunner(runnerId, epoch)).map((s) => [s.id, s]));
    for (const container of await backend.list()) {
      if (isPooledSandboxId(container.id)) continue; // the warm pool's own (unclaimed)
      const session = mine.get(container.id);
      if (session && session.state !== "hibernated" && session.state !== "failed") continue;
      if (work.has(container.id)) continue;
      const state = session?.state ?? (await sessionStateOf(container.id));
      try {
        if (state === null || state === "terminated") {
          log(`removing orphan container for ${container.id} (${state ?? "no such session"})`);
          await backend.destroy(container.id);
        } else {
          const kept = await backend.quarantine(container.id);
          log(`removed orphan container for ${container.id} (${state}); its files are kept in ${kept ?? "(none)"}`);
        }
      } catch (e) {
        log(`orphan ${container.id}: ${(e as Error).message}`);
      }
    }
    // Hibernate caches no session can wake from, and the oldest beyond the size limit.
    await sweepHibernateCaches(backend, work.ids(), log).catch((e) => log(`hibernate caches: ${(e as Error).message}`));
  }

  /** The main process's output of every sandbox that exists here goes to its session's log. */
  const mainOutput = new MainOutputTailer(logs, { log });
  async function followMainOutput() {
    const live = (await currentSessions()).filter((s) => s.state === "running" || s.state === "paused");
    await applySessionLogLimits(logs, live.map((s) => ({ tenantId: s.tenantId, sessionId: s.id })));
    await mainOutput.sync(live.map((s) => ({ tenantId: s.tenantId, sessionId: s.id, ...backend.paths(s.id).mainOutput })));
  }

  await sweepOrphans();
  await convergeAll();
  await warmPool.start().catch((e) => log(`warm pool: ${(e as Error).message}`));
  log("ready: adopted or removed the containers found, converged every session");
  void warmPool.refill();

  // Notices come back by themselves after a lost connection; on each (re)connect a full pass looks
  // at what was announced while nobody listened (as it does for what came before the first LISTEN).
  const listener = new ListenConnection({
    channel: RUNNER_CHANNEL, applicationName: "burrow-runner", log: (m) => log(m),
    onNotice: (payload) => {
      const notice = parseRunnerNotice(payload, runnerId);
      if (!notice) return;
      // Any notice for this runner may be a create that claimed one of its pooled sandboxes:
      // adopt it before the session's first request, and refill the pool.
      void warmPool.adoptClaims().catch((e) => log(`warm pool: ${e.message}`));
      if (notice === "all") void reconcileAll().catch((e) => log(`reconcile: ${e.message}`));
      else work.enqueue(notice.sessionId);
      warmPool.refillSoon(); // a create may have claimed one
    },
    onConnected: () => void reconcileAll().catch((e) => log(`reconcile: ${e.message}`)),
  });
  listener.start();

  const timers = [
    setInterval(() => void reconcileAll().catch((e) => log(`reconcile: ${e.message}`)), env.RUNNER_FULL_PASS_MS),
    setInterval(() => void warmPool.refill(), WARM_POOL_REFILL_MS),
    setInterval(() => void sweepOrphans().catch((e) => log(`sweep: ${e.message}`)), 30_000),
    setInterval(() => void followMainOutput().catch((e) => log(`main output: ${e.message}`)), 1_000),
    setInterval(() => void currentSessions().then(async (s) => {
      await sampler.sampleOnce(s);
      await limitWatch.checkAll(s);
    }).catch((e) => log(`metrics: ${e.message}`)), env.METRICS_SAMPLE_INTERVAL_MS),
    setInterval(() => void currentSessions().then((s) => checkInitHealth(backend, s, log)).catch((e) => log(`init health: ${e.message}`)), INIT_HEALTH_EVERY_MS),
    ...(network ? [setInterval(() => void metering.readAll(network).catch((e) => log(`egress counters: ${e.message}`)), env.NETWORK_METER_INTERVAL_MS)] : []),
  ];

  const stop = async () => {
    log("stopping (sandboxes keep running; a restarted runner adopts them)");
    for (const t of timers) clearInterval(t);
    await heartbeat.stop();
    server.close();
    await terminals.closeAll("the runner is stopping").catch(() => {});
    for (const t of retryTimers.values()) clearTimeout(t);
    await Promise.race([work.idle(), new Promise((r) => setTimeout(r, 30_000))]);
    await warmPool.close(); // unclaimed pooled sandboxes go: a restart starts fresh ones
    await mainOutput.close();
    await logs.close();
    await otlp.close();
    if (network) await metering.readAll(network).catch((e) => log(`egress counters: ${e.message}`));
    network?.close(); // the resolver; bridge, veths, rules and counters stay for the next start
    await metering.close();
    await flushPlatformSpans();
    await listener.stop().catch(() => {});
    await markRunnerOffline(runnerId, epoch).catch(() => {});
    await disconnectDb();
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop());
  process.on("SIGINT", () => void stop());
  stopWhenParentGone(() => void stop(), log);
}

main().catch((err) => {
  console.error("[runner] failed:", err instanceof Error ? err.message : err);
  process.exit(1);
});
