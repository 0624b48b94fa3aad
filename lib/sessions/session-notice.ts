// "Session S changed" for the web processes that stream it to consoles (GET /sessions/{id}/events
// as server-sent events). Sent inside the transaction that makes the change, so it is delivered on
// commit and a listener that reads the session then sees the change.
export const SESSION_CHANNEL = "burrow_sessions";

/** What a NOTIFY on SESSION_CHANNEL carries: `<tenantId> <sessionId>`. */
export type SessionNotice = { tenantId: string; sessionId: string };

type RawQueryable = { $executeRaw: (query: TemplateStringsArray, ...values: unknown[]) => Promise<number> };

export async function notifySessionChanged(tx: RawQueryable, tenantId: string, sessionId: string): Promise<void> {
  await tx.$executeRaw`SELECT pg_notify(${SESSION_CHANNEL}, ${`${tenantId} ${sessionId}`})`;
}

export function parseSessionNotice(payload: string | undefined): SessionNotice | null {
  const [tenantId, sessionId, rest] = (payload ?? "").split(" ");
  return tenantId && sessionId && rest === undefined ? { tenantId, sessionId } : null;
}
