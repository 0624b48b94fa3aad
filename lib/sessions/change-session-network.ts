// PATCH /sessions/{id}/network: a new egress policy for a session that has a network. Stored and
// audited in one transaction; the runner holding the session is woken (NOTIFY) and replaces the
// sandbox's nftables chain and sets in one atomic transaction, so a policy that fails to apply
// leaves the old one in force (the runner logs it and retries on its next pass).
import type { TenantContext } from "../auth/context";
import { AppError } from "../api/errors";
import { recordAuditEvent } from "../audit";
import { inTransaction } from "../db/tenant-scope";
import type { EgressPolicy } from "../network/schemas";
import { notifyRunner } from "../runners/notify";
import { getSessionRowOrThrow } from "./read-sessions";
import { notifySessionChanged } from "./session-notice";
import { toSession } from "./schemas";

export async function changeSessionNetwork({ ctx, input }: { ctx: TenantContext; input: { id: string; network: EgressPolicy } }) {
  const row = await inTransaction(ctx.db, async (tx) => {
    const session = await getSessionRowOrThrow(tx, input.id);
    if (["terminating", "terminated", "failed"].includes(session.state) || session.desiredState === "terminated") {
      throw new AppError("conflict", `The session is ${session.state}`, { details: { state: session.state } });
    }
    // A sandbox without a network has no veth to police: that needs a new session.
    if (session.network === null) {
      throw new AppError("conflict", "This session was created with network \"none\"; create a session with a network to give it one", { details: { network: "none" } });
    }
    const updated = await tx.session.update({ where: { id: session.id }, data: { network: input.network } });
    await recordAuditEvent({ ...ctx, db: tx }, {
      action: "session.network_changed", targetType: "session", targetId: session.id, metadata: { from: session.network, to: input.network },
    });
    await notifySessionChanged(tx, ctx.tenantId, session.id);
    await notifyRunner(tx, session.runnerId, session.id);
    return updated;
  });
  return toSession(row);
}
