// "Look now" for runners. The database holds what must be done; this only wakes a runner early
// (delivered when the surrounding transaction commits). With a session id the runner looks at that
// session only (`<runnerId> <sessionId>`); without one (`<runnerId>`) at all of its sessions.
export const RUNNER_CHANNEL = "burrow_runners";

type RawQueryable = { $executeRaw: (query: TemplateStringsArray, ...values: unknown[]) => Promise<number> };

export async function notifyRunner(tx: RawQueryable, runnerId: string | null, sessionId?: string): Promise<void> {
  if (runnerId) await tx.$executeRaw`SELECT pg_notify(${RUNNER_CHANNEL}, ${sessionId ? `${runnerId} ${sessionId}` : runnerId})`;
}

/** What a runner notice asks of runner `runnerId`: one session, all of them ("all"), or nothing (another runner's). */
export function parseRunnerNotice(payload: string | undefined, runnerId: string): { sessionId: string } | "all" | null {
  const [target, sessionId, rest] = (payload ?? "").split(" ");
  if (target !== runnerId || rest !== undefined) return null;
  return sessionId ? { sessionId } : "all";
}
