// Snapshots through the API: take one (fork point) of a running, paused or hibernated session,
// list, read and delete them, and a session's lineage (parents and children).
import { z } from "zod";
import { AppError, notFound } from "../api/errors";
import { pageArgs, pageQuerySchema, pageSchema, toPage } from "../api/pagination";
import type { TenantContext } from "../auth/context";
import { recordAuditEvent } from "../audit";
import { inTransaction } from "../db/tenant-scope";
import { newId } from "../ids";
import { getQuota } from "../quotas/session-quota";
import { callRunner } from "../runners/runner-client";
import { getRunner } from "../runners/runner-registry";
import { ensureSessionRunning } from "../sessions/ensure-running";
import { getSessionRowOrThrow } from "../sessions/read-sessions";

export const snapshotSchema = z.object({
  id: z.string(), sessionId: z.string().nullable(), parentId: z.string().nullable(), kind: z.enum(["filesystem", "memory"]),
  reason: z.string(), status: z.string(), logicalBytes: z.number(), storedBytes: z.number(), fileCount: z.number(),
  createdAt: z.string(), expiresAt: z.string().nullable(),
});
export const snapshotPageSchema = pageSchema(snapshotSchema);
export const listSnapshotsQuerySchema = pageQuerySchema.extend({ sessionId: z.string().max(64).optional() }).strict();

type SnapshotRow = { id: string; sessionId: string | null; parentId: string | null; kind: string; reason: string; status: string; logicalBytes: bigint; storedBytes: bigint; fileCount: number; createdAt: Date; expiresAt: Date | null };

export function toSnapshot(row: SnapshotRow): z.infer<typeof snapshotSchema> {
  return {
    id: row.id, sessionId: row.sessionId, parentId: row.parentId, kind: row.kind as "filesystem", reason: row.reason, status: row.status,
    logicalBytes: Number(row.logicalBytes), storedBytes: Number(row.storedBytes), fileCount: row.fileCount,
    createdAt: row.createdAt.toISOString(), expiresAt: row.expiresAt?.toISOString() ?? null,
  };
}

async function assertSnapshotStorageFits(ctx: TenantContext) {
  const quota = await getQuota(ctx.db as never);
  const used = await ctx.db.snapshot.aggregate({ where: { status: "ready" }, _sum: { storedBytes: true } });
  const bytes = used._sum.storedBytes ?? 0n;
  if (bytes >= quota.maxSnapshotBytes) {
    throw new AppError("quota_exceeded", "Quota exceeded: snapshot storage", { details: { quota: "snapshot_bytes", limit: Number(quota.maxSnapshotBytes), used: Number(bytes) } });
  }
}

export async function createSnapshot({ ctx, input }: { ctx: TenantContext; input: { sessionId: string } }) {
  await assertSnapshotStorageFits(ctx);
  const session = await getSessionRowOrThrow(ctx.db, input.sessionId);
  let snapshotId: string;
  if (session.state === "hibernated" && session.snapshotId) {
    // Its files are already a snapshot: the fork point shares that content.
    const base = await ctx.db.snapshot.findFirst({ where: { id: session.snapshotId } });
    if (!base) throw notFound("Snapshot");
    const copy = await ctx.db.snapshot.create({
      data: { ...base, id: newId("snp"), parentId: base.id, reason: "manual", expiresAt: null, createdAt: new Date() },
    });
    snapshotId = copy.id;
  } else {
    // A paused session is snapshotted as it is (its runner reads the frozen files); others are woken.
    const pausedOn = session.state === "paused" && session.desiredState === "paused" && session.runnerId ? await getRunner(session.runnerId) : null;
    const runner = pausedOn ?? (await ensureSessionRunning(ctx, input.sessionId)).runner;
    const res = await callRunner(runner.address, `/internal/sessions/${input.sessionId}/snapshot`, { method: "POST", timeoutMs: 600_000 });
    snapshotId = ((await res.json()) as { id: string }).id;
  }
  const row = await ctx.db.snapshot.findFirst({ where: { id: snapshotId } });
  await recordAuditEvent(ctx, { action: "snapshot.created", targetType: "snapshot", targetId: snapshotId, metadata: { sessionId: input.sessionId } });
  return toSnapshot(row!);
}

export async function listSnapshots({ ctx, input }: { ctx: TenantContext; input: z.infer<typeof listSnapshotsQuerySchema> }) {
  const args = pageArgs(input);
  const rows = await ctx.db.snapshot.findMany({
    ...args,
    where: { ...args.where, status: { not: "deleted" }, ...(input.sessionId ? { sessionId: input.sessionId } : {}) },
  });
  return toPage(rows, input, toSnapshot);
}

export async function getSnapshot({ ctx, input }: { ctx: TenantContext; input: { id: string } }) {
  const row = await ctx.db.snapshot.findFirst({ where: { id: input.id, status: { not: "deleted" } } });
  if (!row) throw notFound("Snapshot");
  return toSnapshot(row);
}

/** Deleting marks the row; the garbage collector frees content no remaining snapshot uses. */
export async function deleteSnapshot({ ctx, input }: { ctx: TenantContext; input: { id: string } }) {
  return inTransaction(ctx.db, async (tx) => {
    const row = await tx.snapshot.findFirst({ where: { id: input.id, status: { not: "deleted" } } });
    if (!row) throw notFound("Snapshot");
    const holder = await tx.session.findFirst({ where: { snapshotId: row.id, state: { in: ["hibernated", "hibernating", "starting", "pending"] } } });
    if (holder) throw new AppError("conflict", `Session ${holder.id} needs this snapshot to wake; terminate it first`, { details: { sessionId: holder.id } });
    const deleted = await tx.snapshot.update({ where: { id: row.id }, data: { status: "deleted", deletedAt: new Date() } });
    await recordAuditEvent({ ...ctx, db: tx }, { action: "snapshot.deleted", targetType: "snapshot", targetId: row.id });
    return toSnapshot(deleted);
  });
}

/** The session's snapshots with their ancestors (from forks), so the lineage tree can be drawn. */
export async function sessionLineage({ ctx, input }: { ctx: TenantContext; input: { sessionId: string } }) {
  const session = await getSessionRowOrThrow(ctx.db, input.sessionId);
  const own = await ctx.db.snapshot.findMany({ where: { sessionId: input.sessionId }, orderBy: { id: "asc" }, take: 1000 });
  const byId = new Map(own.map((s) => [s.id, s]));
  // A fork's lineage starts at the snapshot it was forked from.
  let frontier = [...own.map((s) => s.parentId), session.fromSnapshotId].filter((p): p is string => !!p && !byId.has(p));
  for (let depth = 0; depth < 100 && frontier.length; depth++) {
    const parents = await ctx.db.snapshot.findMany({ where: { id: { in: frontier } } });
    for (const p of parents) byId.set(p.id, p);
    frontier = parents.map((p) => p.parentId).filter((p): p is string => !!p && !byId.has(p));
  }
  return { data: [...byId.values()].sort((a, b) => a.id.localeCompare(b.id)).map(toSnapshot) };
}
