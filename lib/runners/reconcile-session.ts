// Level-triggered convergence of one session on this runner: read desired and actual state, take
// the next step, record it. Safe to re-run after a crash at any point: each step first checks what
// is really there (container, files) before acting.
import type { SandboxBackend } from "../sandbox";
import type { Session } from "../db/generated/client";
import type { Rootfs } from "../templates/schemas";
import { recordTransition, type TransitionableSession } from "../sessions/record-transition";
import type { DesiredState, SessionState, TransitionCause } from "../sessions/state-machine";
import { isSettled } from "../sessions/state-machine";
import { restoreSessionFiles, snapshotSessionFiles } from "../snapshots/session-files";
import { env } from "../env";
import { recordPostMortem } from "../sessions/post-mortem";
import { endingPostMortem } from "./check-sandbox-limits";
import { lifecycleStepOf, withLifecycleSpan } from "../telemetry/lifecycle-spans";
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

const tx = (s: Session): TransitionableSession => ({
  id: s.id, tenantId: s.tenantId, state: s.state as SessionState, stateChangedAt: s.stateChangedAt, lifetimeUsedSeconds: s.lifetimeUsedSeconds,
});

/** The sandbox's writable area: diskMib of its own (session-disk.ts), unless the runner turns disk limits off. */
const diskOf = (s: Session) => (env.SANDBOX_DISK_LIMITS === "on" ? { diskMib: s.diskMib } : {});

/** Why the desired state was asked for, as recorded on the runner's transitions. */
const causeOf = (s: Session): TransitionCause => s.desiredCause as TransitionCause;

export async function reconcileSession(session: Session, deps: ReconcileDeps): Promise<void> {
  if (isSettled(session.state as SessionState, session.desiredState as DesiredState)) return;
  const step = lifecycleStepOf(session.state, session.desiredState, Boolean(session.snapshotId));
  if (!step) return converge(session, deps);
  return withLifecycleSpan(step, session, deps.runnerId, () => converge(session, deps));
}

async function converge(session: Session, deps: ReconcileDeps): Promise<void> {
  const desired = session.desiredState as DesiredState;
  let state = tx(session);
  if (isSettled(state.state, desired)) return;
  const cause = causeOf(session);
  const { backend } = deps;

  if (desired === "terminated") {
    if (state.state !== "terminating") {
      // Ended by a limit while its sandbox is still here: say why, with its peak memory and last lines.
      if ((cause === "lifetime" || cause === "spend_limit") && (state.state === "running" || state.state === "paused")) {
        await recordPostMortem(session.id, await endingPostMortem(backend, session.id, cause)).catch((e: Error) => deps.log?.(`post-mortem of ${session.id}: ${e.message}`));
      }
      state = await recordTransition(state, "terminating", cause);
    }
    await deps.closeTerminals?.(session.id, "session terminated");
    await backend.destroy(session.id);
    await recordTransition(state, "terminated", cause);
    return;
  }

  if (state.state === "pending" && desired === "hibernated") {
    await recordTransition(state, "hibernated", cause, { set: { runnerId: null } });
    return;
  }

  if (["pending", "hibernated", "starting"].includes(state.state)) {
    const waking = state.state === "hibernated";
    if (state.state !== "starting") state = await recordTransition(state, "starting", waking ? "wake" : cause);
    const started = Date.now();
    // Files left on this host by a hibernated session are newer than its snapshot when the session
    // was given up with its runner (runner_lost): move them aside, never delete them.
    if (waking) {
      const kept = await backend.quarantine(session.id);
      if (kept) deps.log?.(`session ${session.id}: files found on waking, kept in ${kept}`);
    } else {
      await backend.destroy(session.id);
    }
    // The writable area (its own disk image, diskMib) exists before the snapshot is restored into it.
    await backend.prepareFiles(session.id, diskOf(session));
    if (session.snapshotId) await withSpan("snapshot.restore", { attributes: { "snapshot.id": session.snapshotId } }, () => restoreSessionFiles(session.snapshotId!, backend.paths(session.id)));
    await withSpan("sandbox.create", {}, () => backend.create({
      id: session.id,
      rootfs: session.rootfs as Rootfs,
      resources: { vcpu: session.vcpu, memoryMib: session.memoryMib, ...diskOf(session) },
      env: { ...(session.env as Record<string, string>), ...deps.sandboxEnv(session) },
    }));
    await deps.sandboxStarted?.(session.id);
    state = await recordTransition(state, "running", state.state === "starting" && session.snapshotId ? "wake" : cause, {
      detail: { startMs: Date.now() - started, fromSnapshot: session.snapshotId },
      set: { lastActivityAt: new Date() },
    });
    if (desired === "running") return;
  }

  if (state.state === "paused" && desired === "running") {
    await backend.resume(session.id);
    await recordTransition(state, "running", cause, { set: { lastActivityAt: new Date() } });
    return;
  }

  if (state.state === "running" && desired === "paused") {
    await deps.closeTerminals?.(session.id, "session paused");
    await backend.pause(session.id);
    await recordTransition(state, "paused", cause);
    return;
  }

  if (desired === "hibernated" && ["running", "paused", "hibernating"].includes(state.state)) {
    if (state.state !== "hibernating") state = await recordTransition(state, "hibernating", cause);
    await deps.closeTerminals?.(session.id, "session hibernated");
    const alive = (await backend.list()).some((c) => c.id === session.id);
    if (alive) await backend.pause(session.id).catch(() => {}); // a frozen tree is a consistent snapshot
    else await backend.prepareFiles(session.id, diskOf(session)); // after a reboot its disk image is not mounted
    const started = Date.now();
    const snapshot = await withSpan("session.snapshot", {}, () => snapshotSessionFiles(session, backend.paths(session.id), "hibernate"));
    // Recorded before the files go: a crash now leaves garbage for the orphan sweep, never data loss.
    await recordTransition(state, "hibernated", cause, {
      detail: { snapshotId: snapshot.id, hibernateMs: Date.now() - started, storedBytes: Number(snapshot.storedBytes) },
      set: { snapshotId: snapshot.id, runnerId: null },
    });
    await backend.destroy(session.id);
    return;
  }

  if (state.state === "hibernating" && desired === "running") {
    // Crashed mid-hibernate and asked to run again: the container may still be there.
    const alive = (await backend.list()).some((c) => c.id === session.id);
    if (alive) {
      await backend.resume(session.id).catch(() => {});
      await recordTransition(state, "running", cause);
    } else {
      await backend.prepareFiles(session.id, diskOf(session)); // after a reboot its disk image is not mounted
      const snapshot = await snapshotSessionFiles(session, backend.paths(session.id), "hibernate");
      await recordTransition(state, "hibernated", cause, { set: { snapshotId: snapshot.id, runnerId: deps.runnerId } });
    }
  }
}
