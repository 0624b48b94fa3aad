// Whether a preview request may pass, and where to: the host name names the port and the session
// (the affinity key), the token or a public port lets it in, a sleeping session is woken and the
// request held until the port answers. Lookups are cached briefly per process and a session's entry
// is dropped on each of its changes (NOTIFY); a wake reads the session again, so a session that
// woke on another runner is followed to its new address.
import net from "node:net";
import type http from "node:http";
import { AppError } from "../../lib/api/errors";
import {
  findPreviewGrant, findPreviewSession, isReadyForPreview, isSessionEnded, parsePreviewHost, wakeSessionForPreview, type PreviewGrant, type PreviewSession,
} from "../../lib/preview";
import { refusals, type ProxyRefusal } from "./pages";
import { createTtlCache } from "./ttl-cache";

export const TOKEN_HEADER = "x-burrow-preview-token";
export const TOKEN_QUERY = "burrow_preview_token";
export const TOKEN_COOKIE = "burrow_preview";

/** How long a session's lookup is served from memory at most; a change notice (NOTIFY) drops it sooner. */
export const SESSION_CACHE_MS = 1_000;
/** How long a token's lookup is served from memory at most (its expiry is checked on every request). */
export const GRANT_CACHE_MS = 5_000;
const CACHE_MAX_ENTRIES = 50_000;
const PORT_PROBE_EVERY_MS = 100;

export type Admitted = {
  session: PreviewSession;
  address: string;
  port: number;
  /** A token given in the query: answer with a cookie for this host and a redirect without it. */
  exchange?: { token: string; expiresAt: Date };
};

export type AdmitOptions = { domain: string; wakeTimeoutMs: number; log: (m: string) => void };

export function cookieToken(header: string | undefined): string | null {
  for (const part of (header ?? "").split(";")) {
    const [name, ...rest] = part.trim().split("=");
    if (name === TOKEN_COOKIE) return rest.join("=") || null;
  }
  return null;
}

/** Resolves once something accepts a TCP connection at address:port, or false at the deadline. */
async function waitForPort(address: string, port: number, deadline: number): Promise<boolean> {
  const maxProbes = Math.ceil(Math.max(0, deadline - Date.now()) / PORT_PROBE_EVERY_MS) + 1;
  for (let i = 0; i < maxProbes && Date.now() < deadline; i++) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ host: address, port, timeout: 1_000 });
      const done = (ok: boolean) => {
        socket.destroy();
        resolve(ok);
      };
      socket.once("connect", () => done(true));
      socket.once("error", () => done(false));
      socket.once("timeout", () => done(false));
    });
    if (open) return true;
    await new Promise((r) => setTimeout(r, PORT_PROBE_EVERY_MS));
  }
  return false;
}

export function createAdmission(opts: AdmitOptions) {
  const sessions = createTtlCache<PreviewSession | null>(SESSION_CACHE_MS, CACHE_MAX_ENTRIES);
  const grants = createTtlCache<PreviewGrant | null>(GRANT_CACHE_MS, CACHE_MAX_ENTRIES);

  async function authorize(req: http.IncomingMessage, session: PreviewSession, port: number): Promise<ProxyRefusal | { by: string; exchange?: Admitted["exchange"] }> {
    const queryToken = req.url?.includes(TOKEN_QUERY) ? new URL(req.url, "http://preview").searchParams.get(TOKEN_QUERY) : null;
    const headerToken = req.headers[TOKEN_HEADER];
    const token = queryToken ?? (typeof headerToken === "string" ? headerToken : null) ?? cookieToken(req.headers.cookie);
    if (!token && session.publicPorts.includes(port)) return { by: `public port ${port}` };
    if (!token) return refusals.noToken();
    const grant = (grants.peek(token) ?? { value: await grants.get(token, () => findPreviewGrant(token)) }).value;
    // A token of another tenant says nothing about this session, not even that it exists.
    if (grant && grant.tenantId !== session.tenantId) return refusals.notFound();
    if (!grant || grant.sessionId !== session.id || grant.expiresAt.getTime() <= Date.now()) {
      return session.publicPorts.includes(port) && !queryToken ? { by: `public port ${port}` } : refusals.badToken();
    }
    return { by: `preview token ${grant.tokenId}`, ...(queryToken ? { exchange: { token, expiresAt: grant.expiresAt } } : {}) };
  }

  async function admit(req: http.IncomingMessage): Promise<Admitted | ProxyRefusal> {
    const target = parsePreviewHost(req.headers.host, opts.domain);
    if (!target) return refusals.notFound();
    let session = (sessions.peek(target.sessionId) ?? { value: await sessions.get(target.sessionId, () => findPreviewSession(target.sessionId)) }).value;
    if (!session || isSessionEnded(session)) return refusals.notFound();
    const auth = await authorize(req, session, target.port);
    if ("status" in auth) return auth;
    if (!session.hasNetwork) return refusals.noNetwork();
    if (!isReadyForPreview(session)) {
      const deadline = Date.now() + opts.wakeTimeoutMs;
      try {
        await wakeSessionForPreview(session, auth.by, opts.wakeTimeoutMs, req.socket.remoteAddress ?? null);
      } catch (e) {
        if (e instanceof AppError && e.code === "unavailable") return refusals.wakeTimedOut(Math.round(opts.wakeTimeoutMs / 1000), target.port);
        if (e instanceof AppError && e.code === "not_found") return refusals.notFound();
        if (e instanceof AppError) return refusals.wakeFailed(e.message);
        throw e;
      }
      // Read again, uncached: the woken sandbox may be on another runner, at another address.
      sessions.drop(session.id);
      session = await sessions.get(target.sessionId, () => findPreviewSession(target.sessionId));
      if (!session || isSessionEnded(session)) return refusals.notFound();
      if (!session.address) return refusals.wakeFailed("The session woke without a network address; retry.");
      if (!(await waitForPort(session.address, target.port, deadline))) return refusals.wakeTimedOut(Math.round(opts.wakeTimeoutMs / 1000), target.port);
    }
    return { session, address: session.address!, port: target.port, ...(auth.exchange ? { exchange: auth.exchange } : {}) };
  }

  return {
    admit,
    forget: (sessionId: string) => sessions.drop(sessionId),
    /** A session changed (a NOTIFY), or null: anything may have (the LISTEN connection came back). */
    sessionChanged: (sessionId: string | null) => (sessionId ? sessions.drop(sessionId) : sessions.clear()),
  };
}
