// The runner's check of its running sandboxes' inits (SandboxBackend.initHealth), shown on the
// session as `initHealth` (null while healthy). One UPDATE for all sessions whose health changed.
import { db } from "../db/client";
import type { SandboxBackend } from "../sandbox";

type RunningSession = { id: string; state: string; initHealth: string | null };

export async function checkInitHealth(backend: Pick<SandboxBackend, "initHealth">, sessions: RunningSession[], log: (m: string) => void): Promise<void> {
  const changed: { id: string; health: string | null }[] = [];
  for (const s of sessions) {
    if (s.state !== "running") continue;
    const health = await backend.initHealth(s.id).catch(() => null);
    if (health === null) continue; // no init here (yet): nothing to say
    const shown = health === "ok" ? null : health;
    if (shown !== s.initHealth) changed.push({ id: s.id, health: shown });
  }
  if (changed.length === 0) return;
  for (const c of changed) log(`session ${c.id}: init ${c.health ?? "healthy again"}`);
  // The runner acts for the sessions it holds, of any tenant: they are named by id.
  await db().$executeRaw`
    UPDATE sessions SET init_health = c.health
    FROM unnest(${changed.map((c) => c.id)}::text[], ${changed.map((c) => c.health)}::text[]) AS c(id, health)
    WHERE sessions.id = c.id`;
}
