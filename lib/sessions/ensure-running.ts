// Requests that need the sandbox (exec, files, snapshot of a running session) wake a paused or
// hibernated session transparently: set desired=running, then wait until the runner reports it.
// A read-only caller (readSessionFile without sessions:write) passes wake: false: a wake starts the
// sandbox and its billing, so it then waits only for a session that is already starting or waking.
import type { TenantContext } from "../auth/context";
import { AppError } from "../api/errors";
import { recordAuditEvent } from "../audit";
import { inTransaction } from "../db/tenant-scope";
import { getRunner } from "../runners/runner-registry";
import { requestDesiredState } from "./change-desired-state";
import { getSessionRowOrThrow } from "./read-sessions";
import { sessionWatch } from "./session-watch";

const WAKE_TIMEOUT_MS = 120_000;
// The wait for `running` wakes on the session's change notice (every transition sends one on
// commit, session-notice.ts), so an exec right after a create goes on as soon as the runner records
// the start. Reading again after this long without a notice is only the fallback bound, for a
// notice lost with the LISTEN connection (a reconnect also says "look now").
const FALLBACK_POLL_MS = 1_000;

/** How the wait for `running` went: reads woken by a change notice, and by the fallback bound. */
export type RunningWait = { notices: number; polls: number };

/** Asleep: paused, hibernated or on the way there (nobody asked it to run). */
export const isSessionAsleep = (row: { desiredState: string }) => row.desiredState !== "running";

export function sessionAsleepError(state: string, extra = "") {
  return new AppError("conflict", `The session is asleep (${state}); waking it needs the sessions:write scope${extra}`, { details: { state, reason: "session_asleep" } });
}

/**
 * timeoutMs: how long to wait for the runner (default 120 s); then 503 unavailable. fallbackPollMs:
 * the read without a notice (tests make it long, to see that the notice alone ends the wait).
 */
export async function ensureSessionRunning(ctx: TenantContext, sessionId: string, opts: { wake: boolean; timeoutMs?: number; fallbackPollMs?: number } = { wake: true }) {
  // Subscribed before the first read, so a transition committed in between is not missed.
  let changed = false;
  let wakeUp: (() => void) | null = null;
  const unsubscribe = sessionWatch().subscribe(ctx.tenantId, sessionId, () => {
    changed = true;
    wakeUp?.();
  });
  const waited: RunningWait = { notices: 0, polls: 0 };
  try {
    let session = await inTransaction(ctx.db, async (tx) => {
      const row = await getSessionRowOrThrow(tx, sessionId);
      if (row.state === "running" && row.desiredState === "running") {
        return tx.session.update({ where: { id: row.id }, data: { lastActivityAt: new Date() } });
      }
      if (!opts.wake && isSessionAsleep(row)) throw sessionAsleepError(row.state);
      const woken = await requestDesiredState(tx, ctx, row, "running");
      // A wake starts billing again: audited like an explicit resume, whatever request caused it.
      if (isSessionAsleep(row)) await recordAuditEvent({ ...ctx, db: tx }, { action: "session.resumed", targetType: "session", targetId: row.id, metadata: { from: row.state, wake: true } });
      return woken;
    });
    const deadline = Date.now() + (opts.timeoutMs ?? WAKE_TIMEOUT_MS);
    while (session.state !== "running") {
      if (session.state === "failed" || session.state === "terminated" || session.desiredState === "terminated") {
        throw new AppError("conflict", `The session is ${session.state}${session.failureReason ? `: ${session.failureReason}` : ""}`, { details: { state: session.state } });
      }
      if (Date.now() > deadline) throw new AppError("unavailable", "The session did not start in time; retry", { headers: { "Retry-After": "5" } });
      if (!changed) {
        const bound = Math.min(opts.fallbackPollMs ?? FALLBACK_POLL_MS, Math.max(0, deadline - Date.now()) + 1);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, bound);
          wakeUp = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wakeUp = null;
      }
      if (changed) waited.notices++;
      else waited.polls++;
      changed = false;
      session = await getSessionRowOrThrow(ctx.db, sessionId);
    }
    const runner = session.runnerId ? await getRunner(session.runnerId) : null;
    if (!runner) throw new AppError("unavailable", "The session's runner is gone; retry", { headers: { "Retry-After": "5" } });
    return { session, runner, waited };
  } finally {
    unsubscribe();
  }
}
