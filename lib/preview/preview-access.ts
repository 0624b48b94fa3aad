// What the preview proxy (workers/preview-proxy) asks of the database: the session a host name
// names, the preview token a request carries, a wake, and the idle clock. The proxy acts for no
// tenant until one of these decides it, so the two lookups read across tenants (db()) and say so;
// the wake then goes through the tenant-scoped path that the API's own wakes use.
import type { TenantContext } from "../auth/context";
import { db } from "../db/client";
import { ListenConnection } from "../db/listen-connection";
import { parseSessionNotice, SESSION_CHANNEL } from "../sessions/session-notice";
import { tenantDb } from "../db/tenant-scope";
import { newId } from "../ids";
import { ensureSessionRunning } from "../sessions/ensure-running";
import { touchSessionActivity } from "../sessions/record-transition";
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

/** Null for an unknown id; an ended session is returned (the caller answers both 404 alike). */
export async function findPreviewSession(sessionId: string): Promise<PreviewSession | null> {
  // Across tenants: the host name is the only thing the request names, and it decides the tenant.
  const row = await db().session.findUnique({
    where: { id: sessionId },
    select: { id: true, tenantId: true, state: true, desiredState: true, network: true, sandboxAddress: true, runnerId: true, publicPorts: true, stateChangedAt: true },
  });
  if (!row) return null;
  return {
    id: row.id, tenantId: row.tenantId, state: row.state, desiredState: row.desiredState, hasNetwork: row.network !== null,
    address: row.sandboxAddress, runnerId: row.runnerId, publicPorts: row.publicPorts, stateSince: row.stateChangedAt.getTime(),
  };
}

export const isSessionEnded = (s: Pick<PreviewSession, "state" | "desiredState">) =>
  s.state === "terminated" || s.state === "terminating" || s.state === "failed" || s.desiredState === "terminated";

export const isReadyForPreview = (s: PreviewSession) => s.state === "running" && s.desiredState === "running" && s.address !== null;

export async function findPreviewGrant(token: string): Promise<PreviewGrant | null> {
  // Across tenants, by the secret's hash (unique): the token decides which session it opens.
  const row = await db().previewToken.findUnique({ where: { tokenHash: hashPreviewToken(token) } });
  return row ? { tokenId: row.id, tenantId: row.tenantId, sessionId: row.sessionId, expiresAt: row.expiresAt } : null;
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
    void touchSessionActivity(sessionId, new Date(now)).catch((e) => log(`activity of ${sessionId}: ${(e as Error).message}`));
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
