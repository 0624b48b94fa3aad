// Live egress policy changes (PATCH /sessions/{id}/network): after each turn of a session (its
// notice) and on every full reconcile pass, each running
// or paused session whose stored policy differs from what this runner last applied gets it
// applied. The first pass after a start applies every one once (the same policy again is harmless:
// one atomic nft transaction). A failure leaves the old rules in force, is said once in the
// session's log, and is retried every pass.
import type { SandboxBackend } from "../sandbox";
import type { EgressPolicy } from "../network/schemas";

type SessionLike = { id: string; tenantId: string; state: string; network: unknown };

export function createNetworkPolicySync(
  backend: Pick<SandboxBackend, "applyNetworkPolicy">,
  log: (m: string) => void,
  /** A line in the session's log (source "platform"). */
  tell: (session: SessionLike, line: string) => void = () => {},
) {
  const applied = new Map<string, string>();
  const failed = new Map<string, string>();
  /** partial: `sessions` are some of the runner's (one just worked on); the others' records are kept. */
  return async function syncNetworkPolicies(sessions: SessionLike[], opts: { partial?: boolean } = {}): Promise<void> {
    const live = new Set<string>();
    for (const s of sessions) {
      if ((s.state !== "running" && s.state !== "paused") || !s.network) continue;
      live.add(s.id);
      const wanted = JSON.stringify(s.network);
      if (applied.get(s.id) === wanted || !backend.applyNetworkPolicy) continue;
      try {
        await backend.applyNetworkPolicy(s.id, s.network as EgressPolicy);
        if (applied.has(s.id) || failed.has(s.id)) tell(s, "network policy changed: now in force");
        applied.set(s.id, wanted);
        failed.delete(s.id);
      } catch (e) {
        const message = (e as Error).message;
        log(`network policy of ${s.id} not applied (the previous one stays): ${message}`);
        if (failed.get(s.id) !== wanted) tell(s, `network policy change not applied, the previous policy stays in force (retrying): ${message}`);
        failed.set(s.id, wanted);
      }
    }
    if (opts.partial) {
      for (const s of sessions) if (!live.has(s.id)) applied.delete(s.id), failed.delete(s.id);
      return;
    }
    for (const id of applied.keys()) if (!live.has(id)) applied.delete(id);
    for (const id of failed.keys()) if (!live.has(id)) failed.delete(id);
  };
}
