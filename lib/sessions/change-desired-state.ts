// pause / resume / hibernate / terminate through the API: they only set desiredState (the runner
// converges) and record who asked. Waking a hibernated session also re-checks quota and placement.
import type { TenantContext } from "../auth/context";
import { AppError } from "../api/errors";
import { type AuditAction, recordAuditEvent } from "../audit";
import { assertWakeWithinSpendLimit } from "../billing/spend-limit";
import { inTransaction, type TenantTx } from "../db/tenant-scope";
import { assertSessionFits } from "../quotas/session-quota";
import { notifyRunner } from "../runners/notify";
import { placeSession } from "../runners/place-session";
import { recordDesiredStateSpan } from "../telemetry/lifecycle-spans";
import { actorLabel } from "./actor-label";
import { getSessionRowOrThrow } from "./read-sessions";
import { notifySessionChanged } from "./session-notice";
import { toSession } from "./schemas";
import type { DesiredState } from "./state-machine";

const ACTION: Record<DesiredState, AuditAction> = {
  running: "session.resumed",
  paused: "session.paused",
  hibernated: "session.hibernated",
  terminated: "session.terminated",
};

type SessionRow = Awaited<ReturnType<typeof getSessionRowOrThrow>>;

/** Sets desiredState; `cause` is recorded on the transitions the runner makes. */
export async function requestDesiredState(tx: TenantTx, ctx: Pick<TenantContext, "tenantId" | "actor">, session: SessionRow, desired: DesiredState): Promise<SessionRow> {
  if (session.state === "terminated" || session.state === "failed") {
    if (desired === "terminated" && session.state === "failed") {
      // A failed session can still be cleaned up.
    } else {
      throw new AppError("conflict", `The session is ${session.state}`, { details: { state: session.state } });
    }
  }
  if (session.desiredState === "terminated" && desired !== "terminated") {
    throw new AppError("conflict", "The session is being terminated", { details: { state: session.state } });
  }
  let runnerId = session.runnerId;
  const wantsAwake = desired === "running" || desired === "paused";
  // Also before the runner got to it: a session asked to hibernate (e.g. at the spend limit) must not be kept awake.
  if (wantsAwake && (session.state === "hibernated" || session.state === "hibernating" || session.desiredState === "hibernated")) {
    await assertWakeWithinSpendLimit(tx, { apiKeyId: session.apiKeyId });
  }
  if (wantsAwake && (session.state === "hibernated" || session.state === "hibernating") && !runnerId) {
    // Waking: the session holds compute again, so it must fit the quota and find a runner.
    await assertSessionFits(tx, ctx.tenantId, session);
    runnerId = await placeSession(tx, { vcpu: session.vcpu, memoryMib: session.memoryMib, gpus: session.gpus, pool: session.pool ?? undefined, sessionId: session.id, preferRunnerId: session.cacheRunnerId ?? undefined });
  }
  const updated = await tx.session.update({
    where: { id: session.id },
    data: { desiredState: desired, desiredCause: "api", desiredBy: actorLabel(ctx.actor), runnerId, lastActivityAt: new Date() },
  });
  await notifySessionChanged(tx, ctx.tenantId, session.id);
  await recordDesiredStateSpan(tx, updated, desired);
  await notifyRunner(tx, runnerId, session.id);
  return updated;
}

export async function changeDesiredState({ ctx, input }: { ctx: TenantContext; input: { id: string; desired: DesiredState } }) {
  const row = await inTransaction(ctx.db, async (tx) => {
    const session = await getSessionRowOrThrow(tx, input.id);
    if (input.desired === "paused" && !["running", "paused", "starting", "pending"].includes(session.state)) {
      throw new AppError("conflict", `Only a running session can be paused; it is ${session.state}`, { details: { state: session.state } });
    }
    const updated = await requestDesiredState(tx, ctx, session, input.desired);
    await recordAuditEvent({ ...ctx, db: tx }, { action: ACTION[input.desired], targetType: "session", targetId: session.id, metadata: { from: session.state } });
    return updated;
  });
  return toSession(row);
}
