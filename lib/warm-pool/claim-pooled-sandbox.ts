// The create's side of warm pools: a create whose spec a pool can serve takes one ready pooled
// sandbox atomically in its own transaction (two creates never get the same one: the row is locked
// and skipped by the other), and the session starts out running on that sandbox's runner.
import type { TenantTx } from "../db/tenant-scope";
import { HEARTBEAT_TIMEOUT_SECONDS } from "../runners/liveness";

export type PoolDemand = {
  sessionId: string;
  templateId: string;
  rootfs: unknown;
  vcpu: number;
  memoryMib: number;
  diskMib: number;
  gpus: number;
  pool?: string | null;
  /** The session's egress policy; pools hold only network "none" sandboxes (null). */
  network: unknown;
  fromSnapshot?: string | null;
};

export type ClaimedSandbox = { id: string; runnerId: string };

/** Forks, sessions with a network and GPU sessions take the cold path. */
export const poolable = (d: PoolDemand) => !d.fromSnapshot && d.network === null && d.gpus === 0;

export async function claimPooledSandbox(tx: TenantTx, d: PoolDemand): Promise<ClaimedSandbox | null> {
  if (!poolable(d)) return null;
  const pool = d.pool ?? null;
  const rows = await tx.$queryRaw<{ id: string; runner_id: string }[]>`
    UPDATE pooled_sandboxes SET status = 'claimed', session_id = ${d.sessionId}, claimed_at = now() AT TIME ZONE 'UTC'
    WHERE status = 'ready' AND id = (
      SELECT p.id FROM pooled_sandboxes p JOIN runners r ON r.id = p.runner_id
      WHERE p.status = 'ready' AND p.template_id = ${d.templateId} AND p.rootfs = ${JSON.stringify(d.rootfs)}::jsonb
        AND p.vcpu = ${d.vcpu} AND p.memory_mib = ${d.memoryMib} AND p.disk_mib = ${d.diskMib}
        AND r.status = 'online' AND r.unhealthy_reason IS NULL
        AND r.last_heartbeat_at > (now() AT TIME ZONE 'UTC') - make_interval(secs => ${HEARTBEAT_TIMEOUT_SECONDS})
        AND (${pool}::text IS NULL OR r.labels->>'pool' = ${pool}::text)
      ORDER BY p.ready_at LIMIT 1
      FOR UPDATE OF p SKIP LOCKED)
    RETURNING id, runner_id`;
  return rows[0] ? { id: rows[0].id, runnerId: rows[0].runner_id } : null;
}
