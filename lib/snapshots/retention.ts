// Housekeeping for sessions without a runner and for snapshot storage (scheduler, system actor):
// terminations of hibernated sessions (asked for, or past retentionDays), expired snapshots, and
// garbage collection of content no remaining snapshot uses.
import { db } from "../db/client";
import { recordTransition, StaleStateError } from "../sessions/record-transition";
import type { SessionState, TransitionCause } from "../sessions/state-machine";
import { snapshotStore } from "./session-files";
import { type BlobStore, collectGarbage } from "./store";

export type RetentionScope = {
  now?: Date;
  /** Only these tenants' rows (tests); the scheduler passes none, which means all. */
  tenantIds?: string[];
};

const tenantWhere = (tenantIds?: string[]) => (tenantIds ? { tenantId: { in: tenantIds } } : {});

/** Hibernated sessions have no sandbox, so no runner converges them; terminate them here. */
export async function terminateUnplacedSessions({ now = new Date(), tenantIds }: RetentionScope = {}): Promise<{ terminated: number }> {
  const asked = await db().session.findMany({ where: { runnerId: null, state: "hibernated", desiredState: "terminated", ...tenantWhere(tenantIds) }, take: 1000 });
  const expired = await db().$queryRaw<{ id: string }[]>`
    SELECT id FROM sessions WHERE state = 'hibernated' AND desired_state <> 'terminated'
      AND (${tenantIds ?? null}::text[] IS NULL OR tenant_id = ANY(${tenantIds ?? null}::text[]))
      AND state_changed_at < (now() AT TIME ZONE 'UTC') - make_interval(days => retention_days) LIMIT 1000`;
  const expiredRows = expired.length ? await db().session.findMany({ where: { id: { in: expired.map((e) => e.id) } } }) : [];
  let terminated = 0;
  for (const [s, cause] of [...asked.map((s) => [s, s.desiredCause] as const), ...expiredRows.map((s) => [s, "retention"] as const)]) {
    try {
      const from = { id: s.id, tenantId: s.tenantId, state: s.state as SessionState, stateChangedAt: s.stateChangedAt, lifetimeUsedSeconds: s.lifetimeUsedSeconds };
      const terminating = await recordTransition(from, "terminating", cause as TransitionCause, { now });
      await recordTransition(terminating, "terminated", cause as TransitionCause, { now, set: { desiredState: "terminated" } });
      terminated++;
    } catch (err) {
      if (!(err instanceof StaleStateError)) throw err;
    }
  }
  return { terminated };
}

/** Snapshots past their expiry that no live session needs to wake are deleted. */
export async function expireSnapshots({ now = new Date(), tenantIds }: RetentionScope = {}): Promise<{ expired: number }> {
  const { count } = await db().snapshot.updateMany({
    where: {
      status: "ready",
      expiresAt: { lt: now },
      ...tenantWhere(tenantIds),
      NOT: { id: { in: (await db().session.findMany({ where: { state: { not: "terminated" }, snapshotId: { not: null } }, select: { snapshotId: true } })).map((s) => s.snapshotId!) } },
    },
    data: { status: "deleted", deletedAt: now },
  });
  return { expired: count };
}

/**
 * Content is shared across tenants (content-addressed), so the scope of a collection is a store,
 * not a tenant: tests pass a store of their own; the scheduler passes none, the configured one.
 * What is live is always read from every tenant's snapshots.
 */
export async function collectSnapshotGarbage({ store = snapshotStore() }: { store?: BlobStore } = {}): Promise<{ deletedBlobs: number; freedBytes: number }> {
  const live = await db().snapshot.findMany({ where: { status: { not: "deleted" }, manifestHash: { not: null } }, select: { manifestHash: true }, distinct: ["manifestHash"] });
  const result = await collectGarbage({ store, liveManifests: live.map((s) => s.manifestHash!) });
  return { deletedBlobs: result.deletedBlobs, freedBytes: result.freedBytes };
}
