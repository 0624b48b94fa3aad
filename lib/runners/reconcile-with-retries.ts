// One session's turn in a runner's pass: converge it, and on an error apply the retry policy
// (reconcile-retry-policy.ts): try again next pass, or give up, stop it keeping its files and mark
// it failed with the error, unless it is already failed, terminated or no longer this runner's.
import type { Session } from "../db/generated/client";
import type { ContainerObservation } from "../sessions/lifecycle-step";
import { recordTransition } from "../sessions/record-transition";
import type { SessionState } from "../sessions/state-machine";
import { type ReconcileRetries, shouldMarkFailed } from "./reconcile-retry-policy";
import { type ReconcileDeps, reconcileSession } from "./reconcile-session";

export type ReconcileWithRetriesDeps = ReconcileDeps & {
  retries: ReconcileRetries;
  /** The session as this runner holds it now (fenced by its epoch), undefined when it no longer does. */
  reread: (sessionId: string) => Promise<Session | undefined>;
};

export async function reconcileWithRetries(session: Session, deps: ReconcileWithRetriesDeps, container?: ContainerObservation): Promise<void> {
  const log = deps.log ?? (() => {});
  try {
    await reconcileSession(session, deps, container);
    deps.retries.succeeded(session.id);
  } catch (err) {
    const reason = (err as Error).message;
    const verdict = deps.retries.failed(session.id, reason);
    log(`session ${session.id} (${session.state} -> ${session.desiredState}) failed attempt ${verdict.attempts}: ${reason}`);
    if (verdict.action === "retry") return;
    await deps.closeTerminals?.(session.id, "the session failed").catch(() => {});
    await deps.backend.destroy(session.id, { keepFiles: verdict.keepFiles }).catch(() => {});
    const fresh = await deps.reread(session.id);
    if (!fresh || !shouldMarkFailed(fresh.state)) return;
    await recordTransition(
      { id: fresh.id, tenantId: fresh.tenantId, state: fresh.state as SessionState, stateChangedAt: fresh.stateChangedAt, lifetimeUsedSeconds: fresh.lifetimeUsedSeconds },
      "failed", "error", { detail: { reason: verdict.reason } },
    ).catch((e) => log(`could not mark ${session.id} failed: ${(e as Error).message}`));
  }
}
