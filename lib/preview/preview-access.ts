// What the preview proxy (workers/preview-proxy) asks of the database: the session a host name
// names, the preview token a request carries, a wake, and the idle clock. The proxy acts for no
// tenant until one of these decides it, so the two lookups read across tenants (plain SQL, sqlPool()) and say so;
// the wake then goes through the tenant-scoped path that the API's own wakes use.
import type { TenantContext } from "../auth/context";
import { sqlPool } from "../db/sql-pool";
import { ListenConnection } from "../db/listen-connection";
import { parseSessionNotice, SESSION_CHANNEL } from "../sessions/session-notice";
import { tenantDb } from "../db/tenant-scope";
import { newId } from "../ids";
import { ensureSessionRunning } from "../sessions/ensure-running";
import { hashPreviewToken } from "./preview-tokens";

export type PreviewSession = {
  id: string;
  tenantId: string;
  state: string;
  desiredState: string;
  /** False for network "none": the sandbox has no address the proxy could reach. */
  hasNetwork: boolean;
  address: string | null;
  runnerId: string | null;
  publicPorts: number[];
  /** When it entered its current state: a new sandbox (after a wake) has a new one, so connections kept to the old one are dropped. */
  stateSince: number;
};

export type PreviewGrant = { tokenId: string; tenantId: string; sessionId: string; expiresAt: Date };

type PreviewSessionRow = {
  id: string; tenant_id: string; state: string; desired_state: string; has_network: boolean; sandbox_address: string | null;
  runner_id: string | null; public_ports: number[]; state_since_ms: number;
};

/** Null for an unknown id; an ended session is returned (the caller answers both 404 alike). */
export async function findPreviewSession(sessionId: string): Promise<PreviewSession | null> {
  // Across tenants: the host name is the only thing the request names, and it decides the tenant.
  // Plain SQL on sqlPool(): see there why not through Prisma. Times are read as epoch ms (the
  // columns hold UTC without a zone; pg would read them in the process's zone).
  const { rows } = await sqlPool().query<PreviewSessionRow>(
    `SELECT id, tenant_id, state::text AS state, desired_state, (network IS NOT NULL AND network <> 'null'::jsonb) AS has_network,
            sandbox_address, runner_id, public_ports, (extract(epoch FROM state_changed_at) * 1000)::float8 AS state_since_ms
     FROM sessions WHERE id = $1`,
    [sessionId],
  );
  const row = rows[0];
  if (!row) return null;
  return {
    id: row.id, tenantId: row.tenant_id, state: row.state, desiredState: row.desired_state, hasNetwork: row.has_network,
    address: row.sandbox_address, runnerId: row.runner_id, publicPorts: row.public_ports, stateSince: row.state_since_ms,
  };
}

export const isSessionEnded = (s: Pick<PreviewSession, "state" | "desiredState">) =>
  s.state === "terminated" || s.state === "terminating" || s.state === "failed" || s.desiredState === "terminated";

export const isReadyForPreview = (s: PreviewSession) => s.state === "running" && s.desiredState === "running" && s.address !== null;

export async function findPreviewGrant(token: string): Promise<PreviewGrant | null> {
  // Across tenants, by the secret's hash (unique): the token decides which session it opens.
  const { rows } = await sqlPool().query<{ id: string; tenant_id: string; session_id: string; expires_ms: number }>(
    "SELECT id, tenant_id, session_id, (extract(epoch FROM expires_at) * 1000)::float8 AS expires_ms FROM preview_tokens WHERE token_hash = $1",
    [hashPreviewToken(token)],
  );
  const row = rows[0];
  return row ? { tokenId: row.id, tenantId: row.tenant_id, sessionId: row.session_id, expiresAt: new Date(row.expires_ms) } : null;
}

/**
 * Wakes a paused or hibernated session as an exec or a file read would (desired state running,
 * audited as session.resumed with wake: true) and waits until its runner reports it running.
 * Throws AppError: unavailable after timeoutMs, conflict when it failed or was terminated.
 */
export async function wakeSessionForPreview(session: PreviewSession, by: string, timeoutMs: number, ip: string | null): Promise<void> {
  const ctx: TenantContext = {
    tenantId: session.tenantId, tenantSlug: "", actor: { type: "system", id: null, label: `preview proxy (${by})` }, role: null,
    scopes: ["sessions:write"], db: tenantDb(session.tenantId), ip, requestId: newId("req"),
  };
  await ensureSessionRunning(ctx, session.id, { wake: true, timeoutMs });
}

/** touchSessionActivity in plain SQL (sqlPool(): no query plan to compile every 5 s per session); the column holds UTC without a zone. */
async function touchPreviewActivity(sessionId: string, nowMs: number): Promise<void> {
  await sqlPool().query("UPDATE sessions SET last_activity_at = to_timestamp($2::float8 / 1000) AT TIME ZONE 'UTC' WHERE id = $1", [sessionId, nowMs]);
}

/**
 * Every proxied request is activity for the idle policy, written at most once per `everyMs` per
 * session by this process (one indexed UPDATE), so a busy preview costs the database next to nothing.
 */
export function createActivityRecorder(everyMs: number, log: (m: string) => void) {
  const last = new Map<string, number>();
  return (sessionId: string) => {
    const now = Date.now();
    if (now - (last.get(sessionId) ?? 0) < everyMs) return;
    last.set(sessionId, now);
    if (last.size > 100_000) last.clear(); // bounded: forgetting only means one extra write
    void touchPreviewActivity(sessionId, now).catch((e) => log(`activity of ${sessionId}: ${(e as Error).message}`));
  };
}

/**
 * Calls `onChange(sessionId)` after each committed change of any session (the same NOTIFY the
 * console's live views use), and `onChange(null)` after every (re)connect, since notices sent while
 * the connection was down are gone: the proxy then drops what it cached. Returns the stop.
 */
export function watchSessionChanges(onChange: (sessionId: string | null) => void, log: (m: string) => void): () => Promise<void> {
  const listen = new ListenConnection({
    channel: SESSION_CHANNEL, applicationName: "burrow-preview-proxy", log,
    onNotice: (payload) => {
      const notice = parseSessionNotice(payload);
      if (notice) onChange(notice.sessionId);
    },
    onConnected: () => onChange(null),
  });
  listen.start();
  return () => listen.stop();
}
