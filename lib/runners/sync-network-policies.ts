// Live egress policy changes (PATCH /sessions/{id}/network): on every reconcile pass, each running
// or paused session whose stored policy differs from what this runner last applied gets it
// applied. The first pass after a start applies every one once (the same policy again is harmless:
// one atomic nft transaction). A failure leaves the old rules in force and is retried next pass.
import type { SandboxBackend } from "../sandbox";
import type { EgressPolicy } from "../network/schemas";

type SessionLike = { id: string; state: string; network: unknown };

export function createNetworkPolicySync(backend: Pick<SandboxBackend, "applyNetworkPolicy">, log: (m: string) => void) {
  const applied = new Map<string, string>();
  return async function syncNetworkPolicies(sessions: SessionLike[]): Promise<void> {
    const live = new Set<string>();
    for (const s of sessions) {
      if ((s.state !== "running" && s.state !== "paused") || !s.network) continue;
      live.add(s.id);
      const wanted = JSON.stringify(s.network);
      if (applied.get(s.id) === wanted || !backend.applyNetworkPolicy) continue;
      try {
        await backend.applyNetworkPolicy(s.id, s.network as EgressPolicy);
        applied.set(s.id, wanted);
      } catch (e) {
        log(`network policy of ${s.id} not applied (the previous one stays): ${(e as Error).message}`);
      }
    }
    for (const id of applied.keys()) if (!live.has(id)) applied.delete(id);
  };
}
