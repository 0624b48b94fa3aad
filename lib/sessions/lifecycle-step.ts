// The one decision of what a runner does next for a session: from the state it recorded, the state
// asked for, and what the runtime shows of its container. The reconciler executes the step and
// names its span after it; nothing else decides. Pure: the table is unit-tested row by row
// (lifecycle-step.test.ts), crash-recovery rows included.
import type { SandboxStatus } from "../sandbox";
import type { DesiredState, SessionState } from "./state-machine";

/** The session's container as the runtime lists it; "stopped" also stands for runc's "created" (never started). */
export type ContainerObservation = "running" | "paused" | "stopped" | "absent";
export const CONTAINER_OBSERVATIONS: readonly ContainerObservation[] = ["running", "paused", "stopped", "absent"];

export function observeContainer(status: SandboxStatus | undefined): ContainerObservation {
  if (status === undefined) return "absent";
  return status === "running" || status === "paused" ? status : "stopped";
}

export type LifecycleStep =
  /** Settled, or a mismatch the runner leaves alone (see the table). */
  | "none"
  /** pending, or a start cut off in `starting`: clean slate, (restore a fork's snapshot,) create, running. */
  | "start"
  /** hibernated, or a wake cut off in `starting`: files found here go to the quarantine, restore, create, running. */
  | "wake"
  /** Freeze; from running records paused, from paused (a container found thawed) only freezes again. */
  | "pause"
  | "resume"
  /** running/paused, or a hibernate cut off in `hibernating`: freeze, snapshot, hibernated (off the runner), delete. */
  | "hibernate"
  /** A hibernate cut off in `hibernating`, asked to wake, container still there: thaw it, running. */
  | "abort-hibernate"
  /** As above with the container gone: snapshot the files left here, hibernated but kept on this runner (the next step wakes it). */
  | "finish-hibernate"
  /** Never started and asked to hibernate: nothing to save, hibernated without a snapshot. */
  | "hibernate-unstarted"
  /**
   * running/paused, the runtime has no container (host rebooted, removed by hand) but the session's
   * writable layer and /workspace are still on this host: a new container on those same files,
   * running (its processes are gone); a paused one is paused again by the next step.
   */
  | "recover"
  /** As above with its files gone too, and a snapshot: hibernated with the snapshot's data, on this runner (the next step wakes it). */
  | "roll-back"
  /** As above without a snapshot: failed (sandbox_lost), whatever is left kept. */
  | "mark-lost"
  /** Also finishes a cut-off `terminating`. */
  | "terminate";

export type LifecycleInput = {
  state: SessionState;
  desired: DesiredState;
  container: ContainerObservation;
  hasSnapshot: boolean;
  /** The session's writable layer and /workspace are on this host (only looked at when its container is absent). */
  filesHere: boolean;
};
export type LifecycleDecision = { step: LifecycleStep; /** The platform span the step runs in; null for bookkeeping-only steps. */ spanName: string | null };

const SPAN_NAMES: Record<LifecycleStep, string | null> = {
  none: null,
  start: "session.start",
  wake: "session.wake",
  pause: "session.pause",
  resume: "session.resume",
  hibernate: "session.hibernate",
  // Asked for through a wake or resume: the span is the one that request's trace continues.
  "abort-hibernate": "session.resume",
  "finish-hibernate": "session.resume",
  "hibernate-unstarted": null,
  recover: "session.recover",
  "roll-back": null, // the wake that follows has its span
  "mark-lost": null,
  terminate: "session.terminate",
};

/** The reason recorded when a session's container is gone (failed, or rolled back to its snapshot, when its files are gone too). */
export const SANDBOX_LOST_REASON = "sandbox_lost";

function stepOf({ state, desired, container, hasSnapshot, filesHere }: LifecycleInput): LifecycleStep {
  if (state === "terminated") return "none";
  // Terminating is one way: a cut-off one is finished whatever is asked now.
  if (desired === "terminated" || state === "terminating") return "terminate";
  if (state === "failed") return "none";
  const alive = container === "running" || container === "paused";
  switch (state) {
    case "pending":
      return desired === "hibernated" ? "hibernate-unstarted" : "start";
    case "starting":
      // Whatever a cut-off start left is started again from scratch (the start step clears it first).
      return hasSnapshot ? "wake" : "start";
    case "hibernated":
      return desired === "hibernated" ? "none" : "wake";
    case "hibernating":
      if (desired === "hibernated") return "hibernate";
      return alive ? "abort-hibernate" : "finish-hibernate";
    case "running":
    case "paused": {
      if (desired === "hibernated") return "hibernate"; // from the files, whether or not a container is left
      if (container === "absent") return filesHere ? "recover" : hasSnapshot ? "roll-back" : "mark-lost";
      if (desired === "paused") {
        // paused with a stopped container: its init is gone, which init health reports; nothing to freeze.
        if (state === "paused") return container === "running" ? "pause" : "none";
        return "pause";
      }
      // Asked to run. A running session's container can be frozen for a moment on purpose (a manual
      // snapshot pauses it), and a stopped one is reported by init health: both are left alone.
      return state === "paused" ? "resume" : "none";
    }
  }
}

export function decideLifecycleStep(input: LifecycleInput): LifecycleDecision {
  const step = stepOf(input);
  return { step, spanName: SPAN_NAMES[step] };
}
