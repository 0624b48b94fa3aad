import type { TenantContext } from "../auth/context";
import { AdmissionQueue } from "../api/admission-queue";
import { AppError } from "../api/errors";
import { recordAuditEvent } from "../audit";
import { env } from "../env";
import { assertWithinSpendLimit } from "../billing/spend-limit";
import { inTransaction } from "../db/tenant-scope";
import { newId } from "../ids";
import { assertSessionFits, getQuota } from "../quotas/session-quota";
import { notifyRunner } from "../runners/notify";
import { placeSession } from "../runners/place-session";
import { claimPooledSandbox } from "../warm-pool";
import { recordDesiredStateSpan } from "../telemetry/lifecycle-spans";
import { activeSpan } from "../telemetry/platform-span";
import { resolveTemplate } from "../templates/resolve-template";
import { actorLabel } from "./actor-label";
import { type CreateSessionInput, toSession } from "./schemas";
import type { EgressPolicy, SessionNetwork } from "../network/schemas";
import { db } from "../db/client";

// Creates of one tenant run one after another anyway (the quota check takes the tenant's quota lock): this
// keeps a burst from holding a pooled connection per waiting create, and answers 503 + Retry-After
// when the backlog is more than the process can work off in time.
const createAdmission = new AdmissionQueue({
  name: "session creates",
  concurrency: env.SESSION_CREATE_CONCURRENCY,
  maxQueued: env.SESSION_CREATE_QUEUE,
  maxWaitMs: env.SESSION_CREATE_QUEUE_WAIT_MS,
});

export async function createSession(args: { ctx: TenantContext; input: CreateSessionInput }) {
  return createAdmission.run(() => createAdmitted(args));
}

async function createAdmitted({ ctx, input }: { ctx: TenantContext; input: CreateSessionInput }) {
  const template = await resolveTemplate(ctx, input.template);
  // The tenant row is keyed by ctx.tenantId itself, which is the scope (as in lib/tenants/current-tenant.ts).
  const tenantDefault = (input.network ?? template.network) ? null : (await db().tenant.findUnique({ where: { id: ctx.tenantId }, select: { defaultNetwork: true } }))?.defaultNetwork;
  const network = networkOf(input.network, template.network, tenantDefault ?? null);
  const resources = {
    vcpu: input.resources?.vcpu ?? template.vcpu,
    memoryMib: input.resources?.memoryMib ?? template.memoryMib,
    diskMib: input.resources?.diskMib ?? template.diskMib,
    gpus: input.resources?.gpus ?? template.gpus,
  };
  const apiKeyId = ctx.actor.type === "key" ? ctx.actor.id : null;
  await assertWithinSpendLimit({ tenantId: ctx.tenantId, apiKeyId });
  const row = await inTransaction(ctx.db, async (tx) => {
    let fork: { id: string; sessionId: string | null } | null = null;
    if (input.fromSnapshot) {
      fork = await tx.snapshot.findFirst({ where: { id: input.fromSnapshot, status: "ready" }, select: { id: true, sessionId: true } });
      if (!fork) throw new AppError("invalid_request", `No snapshot '${input.fromSnapshot}'`, { details: { fields: [{ path: "body.fromSnapshot", message: "unknown snapshot" }] } });
    }
    const fromSnapshotId = fork?.id ?? null;
    // Unless the caller asks for more, a template's default lifetime is capped by the tenant's maximum.
    const maxLifetimeSeconds = input.timeoutSeconds ?? Math.min(template.maxLifetimeSeconds, (await getQuota(tx)).maxLifetimeSeconds);
    await assertSessionFits(tx, ctx.tenantId, { ...resources, maxLifetimeSeconds });
    const id = newId("ses");
    // A warm pool's started sandbox when one matches (README "Warm pools"), else placement and a cold start.
    const claimed = await claimPooledSandbox(tx, { sessionId: id, templateId: template.id, rootfs: template.rootfs, ...resources, pool: input.pool, network, fromSnapshot: fromSnapshotId });
    const runnerId = claimed?.runnerId ?? (await placeSession(tx, { ...resources, pool: input.pool, sessionId: id }));
    const now = new Date();
    const session = await tx.session.create({
      data: {
        id,
        tenantId: ctx.tenantId,
        templateId: template.id,
        templateName: template.name,
        rootfs: template.rootfs,
        runnerId,
        // Claimed: running from now (its timeline, billing and lifetime start here); the runner adopts the sandbox.
        ...(claimed ? { state: "running" as const, sandboxId: claimed.id, stateChangedAt: now, lastActivityAt: now, createdAt: now } : { state: "pending" as const }),
        desiredState: "running",
        desiredBy: actorLabel(ctx.actor),
        ...resources,
        env: { ...template.env, ...(input.env ?? {}) },
        labels: input.labels ?? {},
        metadata: (input.metadata ?? {}) as object,
        // The session's own choice, else its template's default (README, "Network").
        ...(network ? { network } : {}),
        pauseAfterSeconds: input.idle?.pauseAfterSeconds !== undefined ? input.idle.pauseAfterSeconds : template.pauseAfterSeconds,
        hibernateAfterSeconds: input.idle?.hibernateAfterSeconds !== undefined ? input.idle.hibernateAfterSeconds : template.hibernateAfterSeconds,
        maxLifetimeSeconds,
        retentionDays: template.retentionDays,
        fromSnapshotId,
        snapshotId: fromSnapshotId,
        apiKeyId,
        pool: input.pool ?? null,
      },
    });
    await tx.sessionEvent.create({
      data: {
        id: newId("sev"), tenantId: ctx.tenantId, sessionId: id, fromState: null, toState: claimed ? "running" : "pending", actor: actorLabel(ctx.actor), createdAt: now,
        ...(claimed ? { cause: "warm_pool", detail: { runnerId, sandboxId: claimed.id } } : fork ? { cause: "fork", detail: { runnerId, fromSnapshot: fork.id, fromSession: fork.sessionId } } : { cause: "api", detail: { runnerId } }),
      },
    });
    await recordAuditEvent({ ...ctx, db: tx }, {
      action: "session.created", targetType: "session", targetId: id,
      metadata: { template: template.name, ...resources, fromSnapshot: fromSnapshotId },
    });
    await recordDesiredStateSpan(tx, session, "running");
    await notifyRunner(tx, runnerId, id);
    return session;
  });
  activeSpan()?.setSession(row.id); // the create request belongs on the new session's timeline
  return toSession(row);
}

/** A session's policy: the one it asks for ("none" included), else its template's, else its tenant's; null for none. */
function networkOf(asked: CreateSessionInput["network"], templateDefault: SessionNetwork | null, tenantDefault: unknown): EgressPolicy | null {
  const chosen = asked ?? templateDefault ?? (tenantDefault as SessionNetwork | null) ?? "none";
  return chosen === "none" ? null : chosen;
}
