// Level-triggered convergence of one session on this runner: read desired and actual state and what
// the runtime shows of its container, let decideLifecycleStep choose the step, take it, record it;
// repeat until settled (a start on the way to paused or hibernated is followed by that step). Safe
// to re-run after a crash at any point: the decision looks at the container, and each step first
// checks what is really there (container, files) before acting. A container the runtime lost (host
// reboot) is started again on the session's files when they are here (see "recover").
import fs from "node:fs/promises";
import path from "node:path";
import { DISK_IMAGE_NAME, type SandboxBackend, type SandboxPaths, type SandboxSpec } from "../sandbox";
import type { Session } from "../db/generated/client";
import type { Rootfs } from "../templates/schemas";
import { recordTransition, type TransitionableSession } from "../sessions/record-transition";
import { decideLifecycleStep, observeContainer, SANDBOX_LOST_REASON, type ContainerObservation, type LifecycleStep } from "../sessions/lifecycle-step";
import type { DesiredState, SessionState, TransitionCause } from "../sessions/state-machine";
import { isSettled } from "../sessions/state-machine";
import { restoreSessionFiles, snapshotSessionFiles } from "../snapshots/session-files";
import { env } from "../env";
import { recordPostMortem } from "../sessions/post-mortem";
import { endingPostMortem } from "./check-sandbox-limits";
import { runOnStartHook } from "./on-start-hook";
import { cacheBackend, keepOrDestroy } from "./hibernate-cache";
import { withLifecycleSpan } from "../telemetry/lifecycle-spans";
import { withSpan } from "../telemetry/platform-span";

export type ReconcileDeps = {
  backend: SandboxBackend;
  runnerId: string;
  sandboxEnv: (session: Session) => Record<string, string>;
  /** Ends the session's web terminals (their viewers are told why) before it stops running. */
  closeTerminals?: (sessionId: string, reason: string) => Promise<void>;
  /** A sandbox was just created, before the session is reported running (the OTLP relay starts here). */
  sandboxStarted?: (sessionId: string) => Promise<void>;
  log?: (message: string) => void;
};

/** Steps one pass takes at most: a start then a pause or hibernate; a finished hibernate then a wake. */
const MAX_STEPS_PER_PASS = 4;

const tx = (s: Session): TransitionableSession => ({
  id: s.id, tenantId: s.tenantId, state: s.state as SessionState, stateChangedAt: s.stateChangedAt, lifetimeUsedSeconds: s.lifetimeUsedSeconds,
});

/** The row as a recorded transition left it (plus what the step set on it). */
const after = (s: Session, t: TransitionableSession, set: Partial<Session> = {}): Session => ({ ...s, ...set, state: t.state, stateChangedAt: t.stateChangedAt, lifetimeUsedSeconds: t.lifetimeUsedSeconds });

/** The sandbox's writable area: diskMib of its own (session-disk.ts), unless the runner turns disk limits off. */
const diskOf = (s: Session) => (env.SANDBOX_DISK_LIMITS === "on" ? { diskMib: s.diskMib } : {});

/** Why the desired state was asked for, as recorded on the runner's transitions. */
const causeOf = (s: Session): TransitionCause => s.desiredCause as TransitionCause;

export async function observeSessionContainer(backend: Pick<SandboxBackend, "list">, sessionId: string): Promise<ContainerObservation> {
  return observeContainer((await backend.list()).find((c) => c.id === sessionId)?.status);
}

/**
 * Whether the session's writable layer and /workspace are (still) on this host: as directories, or
 * inside its disk image, which a reboot leaves unmounted (create() mounts it again).
 */
export async function sessionFilesHere(paths: Pick<SandboxPaths, "root" | "upper" | "workspace">): Promise<boolean> {
  const isDir = (p: string) => fs.lstat(p).then((st) => st.isDirectory(), () => false);
  const image = await fs.lstat(path.join(paths.root, DISK_IMAGE_NAME)).then((st) => st.isFile(), () => false);
  return image || ((await isDir(paths.upper)) && (await isDir(paths.workspace)));
}

/**
 * `container`: what the runner's pass saw of this session's container. Without it a session whose
 * recorded state is settled is left alone (nothing was observed to contradict it).
 */
export async function reconcileSession(session: Session, deps: ReconcileDeps, container?: ContainerObservation): Promise<void> {
  const desired = session.desiredState as DesiredState;
  if (container === undefined && isSettled(session.state as SessionState, desired)) return;
  let current = session;
  let seen = container ?? knownWithoutLooking(session) ?? (await observeSessionContainer(deps.backend, session.id));
  for (let i = 0; i < MAX_STEPS_PER_PASS; i++) {
    // Only a missing container makes the files matter (recover on them, or fall back without them).
    const filesHere = seen === "absent" ? await sessionFilesHere(deps.backend.paths(session.id)) : true;
    const { step, spanName } = decideLifecycleStep({ state: current.state as SessionState, desired, container: seen, hasSnapshot: Boolean(current.snapshotId), filesHere });
    if (step === "none") return;
    const from = current;
    const run = () => takeStep(step, from, seen, deps);
    current = spanName ? await withLifecycleSpan(spanName, from, deps.runnerId, run) : await run();
    if (current.runnerId !== deps.runnerId) return; // left this runner (hibernated): nothing more to do here
    // The step just made the container what it is: no `runc list` to learn it again.
    seen = CONTAINER_AFTER[step] ?? (await observeSessionContainer(deps.backend, session.id));
  }
}

/**
 * When the runtime need not be asked (a `runc list`, which reads every container's state): nothing
 * enters `pending`, and a start records `starting` before it creates the container, so a pending
 * session has none; a terminate removes whatever is there (destroy looks for itself), so its
 * container is not looked at ("running" here only keeps the files check out of it).
 */
function knownWithoutLooking(session: Session): ContainerObservation | null {
  if (session.desiredState === "terminated" || session.state === "terminating") return session.state === "terminated" ? "absent" : "running";
  if (session.state === "pending") return "absent";
  return null;
}

/** What a step that succeeded leaves of the container (each ends by making it so, or throws). */
const CONTAINER_AFTER: Partial<Record<LifecycleStep, ContainerObservation>> = {
  start: "running", wake: "running", recover: "running", resume: "running", "abort-hibernate": "running",
  pause: "paused", terminate: "absent", hibernate: "absent",
};

async function takeStep(step: Exclude<LifecycleStep, "none">, session: Session, container: ContainerObservation, deps: ReconcileDeps): Promise<Session> {
  const cause = causeOf(session);
  const { backend } = deps;
  const state = tx(session);
  switch (step) {
    case "terminate": {
      // Ended by a limit while its sandbox is still here: say why, with its peak memory and last lines.
      if ((cause === "lifetime" || cause === "spend_limit") && (state.state === "running" || state.state === "paused")) {
        await recordPostMortem(session.id, await endingPostMortem(backend, session.id, cause)).catch((e: Error) => deps.log?.(`post-mortem of ${session.id}: ${e.message}`));
      }
      const terminating = state.state === "terminating" ? state : await recordTransition(state, "terminating", cause);
      await deps.closeTerminals?.(session.id, "session terminated");
      await backend.destroy(session.id);
      return after(session, await recordTransition(terminating, "terminated", cause));
    }
    case "hibernate-unstarted":
      return after(session, await recordTransition(state, "hibernated", cause, { set: { runnerId: null } }), { runnerId: null });
    case "start":
    case "wake":
      return startSandbox(session, container, deps);
    case "pause":
      await deps.closeTerminals?.(session.id, "session paused");
      await backend.pause(session.id);
      // From paused the container was found thawed: freezing it again is all there is to do.
      return state.state === "paused" ? session : after(session, await recordTransition(state, "paused", cause));
    case "resume": {
      await backend.resume(session.id);
      const lastActivityAt = new Date();
      return after(session, await recordTransition(state, "running", cause, { set: { lastActivityAt } }), { lastActivityAt });
    }
    case "hibernate":
      return hibernate(session, container, deps);
    case "abort-hibernate":
      // Cut off mid-hibernate and asked to run again: the container is still there, frozen.
      await backend.resume(session.id).catch(() => {});
      return after(session, await recordTransition(state, "running", cause));
    case "finish-hibernate": {
      // Cut off mid-hibernate, the container gone: save the files left here and stay on this runner,
      // so that the wake that follows starts from them.
      await backend.prepareFiles(session.id, diskOf(session)); // after a reboot its disk image is not mounted
      const snapshot = await snapshotSessionFiles(session, backend.paths(session.id), "hibernate");
      const set = { snapshotId: snapshot.id, runnerId: deps.runnerId };
      return after(session, await recordTransition(state, "hibernated", cause, { set }), set);
    }
    case "recover": {
      // The host rebooted (or the container was removed by hand) but the files are here: a new
      // container on them, nothing restored, nothing wiped. What ran in it is gone; say so.
      deps.log?.(`session ${session.id}: ${session.state} but its container is gone; started again on its files`);
      await deps.closeTerminals?.(session.id, "the session's processes were lost");
      const info = await withSpan("sandbox.create", {}, () => backend.create(sandboxSpecOf(session, deps)));
      await deps.sandboxStarted?.(session.id);
      await runOnStartHook(backend, session.id, deps.log);
      const set = { lastActivityAt: new Date(), sandboxAddress: info.address ?? null };
      const running = await recordTransition(state, "running", "recovered", { detail: { reason: SANDBOX_LOST_REASON, note: RECOVERED_NOTE }, set });
      return after(session, running, set);
    }
    case "roll-back": {
      // Container and files gone: the data of its last snapshot, woken here by the next step.
      deps.log?.(`session ${session.id}: ${session.state} but its container and files are gone; back to its last snapshot`);
      await deps.closeTerminals?.(session.id, "the session's files were lost");
      const detail = { reason: SANDBOX_LOST_REASON, dataAsOf: session.snapshotId };
      return after(session, await recordTransition(state, "hibernated", "error", { detail }));
    }
    case "mark-lost": {
      deps.log?.(`session ${session.id}: ${session.state} but its container is gone; marked failed, files kept`);
      await deps.closeTerminals?.(session.id, "the session failed");
      await backend.destroy(session.id, { keepFiles: true });
      return after(session, await recordTransition(state, "failed", "error", { detail: { reason: SANDBOX_LOST_REASON } }), { failureReason: SANDBOX_LOST_REASON });
    }
  }
}

/** The timeline's word on a recovered session. */
export const RECOVERED_NOTE = "processes were lost, files kept";

const sandboxSpecOf = (session: Session, deps: ReconcileDeps): SandboxSpec => ({
  id: session.id,
  rootfs: session.rootfs as Rootfs,
  resources: { vcpu: session.vcpu, memoryMib: session.memoryMib, ...diskOf(session) },
  env: { ...(session.env as Record<string, string>), ...deps.sandboxEnv(session) },
  network: (session.network ?? null) as SandboxSpec["network"],
});

/** pending, hibernated or starting → running. */
async function startSandbox(session: Session, container: ContainerObservation, deps: ReconcileDeps): Promise<Session> {
  const { backend } = deps;
  let state = tx(session);
  const waking = state.state === "hibernated";
  // A fork's first start restores the snapshot it was made from: that is a fork, not a wake.
  const forking = !waking && session.fromSnapshotId !== null && session.snapshotId === session.fromSnapshotId;
  const startCause: TransitionCause = waking ? "wake" : forking ? "fork" : causeOf(session);
  if (state.state !== "starting") state = await recordTransition(state, "starting", startCause);
  const started = Date.now();
  const steps: Record<string, number> = {};
  let lap = Date.now();
  const step = (name: string) => {
    const t = Date.now();
    steps[name] = t - lap;
    lap = t;
  };
  const paths = backend.paths(session.id);
  const here = await sandboxDirExists(paths.root);
  // Its hibernate cache here, made from the snapshot it wakes from: remounted, nothing restored.
  const cache = waking && here && session.snapshotId && backend.takeCache
    ? await withSpan("snapshot.cache", { attributes: { "snapshot.id": session.snapshotId } }, async (span) => {
      const found = await backend.takeCache!(session.id, session.snapshotId!);
      span.setAttribute("cache.result", found);
      return found;
    })
    : null;
  if (cache && cache !== "hit") deps.log?.(`session ${session.id}: hibernate cache ${cache}; restoring from the store`);
  if (cache === "hit") {
    deps.log?.(`session ${session.id}: woken from its hibernate cache`);
  } else if (waking && here) {
    // Files left on this host by a hibernated session are newer than its snapshot when the session
    // was given up with its runner (runner_lost): move them aside, never delete them.
    const kept = await backend.quarantine(session.id);
    if (kept) deps.log?.(`session ${session.id}: files found on waking, kept in ${kept}`);
  } else if (here || container !== "absent") {
    // Leftovers of a start cut off (a container, files): cleared first. A first start, with no
    // container seen and no directory, has nothing to clear (a destroy is three spawns).
    await backend.destroy(session.id);
  }
  step("clearMs");
  // The writable area (its own disk image, diskMib) exists before the snapshot is restored into it.
  await backend.prepareFiles(session.id, diskOf(session));
  step("filesMs");
  if (session.snapshotId && cache !== "hit") await withSpan("snapshot.restore", { attributes: { "snapshot.id": session.snapshotId } }, () => restoreSessionFiles(session.snapshotId!, paths));
  step("restoreMs");
  // Nothing is left of a container here now (destroyed, quarantined, or none seen), so create
  // need not ask the runtime. A cache hit cleared nothing here: its container went at the
  // hibernate (keepAsCache destroys it), so only one seen now makes the runtime worth asking.
  const knownAbsent = cache !== "hit" || container === "absent";
  const info = await withSpan("sandbox.create", {}, () => backend.create(sandboxSpecOf(session, deps), { knownAbsent }));
  step("createMs");
  await deps.sandboxStarted?.(session.id);
  await runOnStartHook(backend, session.id, deps.log);
  step("hooksMs");
  // The preview proxy reads the address here, so a woken session is followed to its new runner.
  const set = { lastActivityAt: new Date(), sandboxAddress: info.address ?? null, cacheRunnerId: null };
  const running = await recordTransition(state, "running", forking ? "fork" : session.snapshotId ? "wake" : causeOf(session), {
    detail: { startMs: Date.now() - started, fromSnapshot: session.snapshotId, ...(cache ? { hibernateCache: cache } : {}), steps },
    set,
  });
  return after(session, running, set);
}

const sandboxDirExists = (root: string) => fs.lstat(root).then(() => true, () => false);

/** running, paused or hibernating → hibernated: a snapshot of the files, recorded before they go. */
async function hibernate(session: Session, container: ContainerObservation, deps: ReconcileDeps): Promise<Session> {
  const { backend } = deps;
  const cause = causeOf(session);
  let state = tx(session);
  if (state.state !== "hibernating") state = await recordTransition(state, "hibernating", cause);
  await deps.closeTerminals?.(session.id, "session hibernated");
  if (container === "running" || container === "paused") await backend.pause(session.id).catch(() => {}); // a frozen tree is a consistent snapshot
  else await backend.prepareFiles(session.id, diskOf(session)); // after a reboot its disk image is not mounted
  const started = Date.now();
  const snapshot = await withSpan("session.snapshot", {}, () => snapshotSessionFiles(session, backend.paths(session.id), "hibernate", deps.log));
  const snapshotMs = Date.now() - started;
  // Recorded before the files go: a crash now leaves garbage for the orphan sweep, never data loss.
  // With a hibernate cache the files stay here, equal to the snapshot, and a wake prefers this runner.
  const caching = cacheBackend(backend) !== null;
  const set = { snapshotId: snapshot.id, runnerId: null, sandboxAddress: null, cacheRunnerId: caching ? deps.runnerId : null };
  const hibernated = await recordTransition(state, "hibernated", cause, {
    detail: { snapshotId: snapshot.id, hibernateMs: Date.now() - started, snapshotMs, storedBytes: Number(snapshot.storedBytes) },
    set,
  });
  const freed = Date.now();
  const kept = await keepOrDestroy(backend, session.id, snapshot.id, deps.log);
  deps.log?.(`session ${session.id}: hibernated in ${freed - started} ms; sandbox ${kept ? `kept as its hibernate cache (${kept.bytes} bytes)` : "deleted"} in ${Date.now() - freed} ms`);
  return after(session, hibernated, set);
}
