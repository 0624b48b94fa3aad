// The runner's watch on its sandboxes' limits, on the sampling tick: a post-mortem (lib/sessions/
// post-mortem.ts) when the cgroup counted a new OOM kill or a fork refused at the pids limit, and
// once when the sandbox's disk is (nearly) full — statfs of its own filesystem, space or inodes.
import type { SandboxBackend } from "../sandbox";
import { buildPostMortem, recordPostMortem } from "../sessions/post-mortem";
import type { PostMortem, PostMortemReason } from "../sessions/schemas";

type WatchedSession = { id: string; state: string; postMortem: unknown };
type Seen = { oomKills: number; pidsLimitHits: number; diskFull: boolean };

/** Full below 2% free (space or inodes); armed again above 10%, so a full disk is one event. */
const FULL_BELOW = 0.02;
const REARM_ABOVE = 0.1;

export function createSandboxLimitWatch(backend: Pick<SandboxBackend, "limitCounters" | "diskUsage">, log: (m: string) => void) {
  const seen = new Map<string, Seen>();

  async function checkOne(s: WatchedSession): Promise<void> {
    const counters = await backend.limitCounters(s.id);
    // First sight in this process: what an earlier post-mortem already reported is not new.
    const recorded = (s.postMortem as PostMortem | null)?.counters;
    let before = seen.get(s.id) ?? { oomKills: recorded?.oomKills ?? 0, pidsLimitHits: recorded?.pidsLimitHits ?? 0, diskFull: false };
    // Lower than before: a new container (a wake) with fresh counters.
    if (counters.oomKills < before.oomKills || counters.pidsLimitHits < before.pidsLimitHits) before = { ...before, oomKills: 0, pidsLimitHits: 0 };
    const reasons: PostMortemReason[] = [];
    if (counters.oomKills > before.oomKills) reasons.push("oom_kill");
    if (counters.pidsLimitHits > before.pidsLimitHits) reasons.push("pids_limit");

    const disk = await backend.diskUsage(s.id);
    let diskFull = before.diskFull;
    if (disk && disk.totalBytes > 0 && disk.totalInodes > 0) {
      const freeShare = Math.min(disk.freeBytes / disk.totalBytes, disk.freeInodes / disk.totalInodes);
      if (!diskFull && freeShare < FULL_BELOW) {
        diskFull = true;
        reasons.push("disk_full");
      } else if (diskFull && freeShare > REARM_ABOVE) diskFull = false;
    }
    for (const reason of reasons) {
      const facts = {
        peakMemoryBytes: counters.peakMemoryBytes || null,
        counters: { oomKills: counters.oomKills, pidsLimitHits: counters.pidsLimitHits },
        ...(reason === "disk_full" && disk ? { disk } : {}),
      };
      await recordPostMortem(s.id, await buildPostMortem(s.id, reason, facts));
      log(`session ${s.id}: ${reason} (post-mortem recorded)`);
    }
    seen.set(s.id, { oomKills: counters.oomKills, pidsLimitHits: counters.pidsLimitHits, diskFull });
  }

  return {
    /** One pass over the runner's running sessions; a sandbox that cannot be read is skipped. */
    async checkAll(sessions: WatchedSession[]): Promise<void> {
      const live = sessions.filter((s) => s.state === "running");
      const ids = new Set(sessions.filter((s) => s.state === "running" || s.state === "paused").map((s) => s.id));
      for (const id of seen.keys()) if (!ids.has(id)) seen.delete(id);
      for (const s of live) await checkOne(s).catch((e: Error) => log(`limits of ${s.id}: ${e.message}`));
    },
  };
}

/** Facts for a post-mortem of a session about to be ended by a limit (its sandbox still there). */
export async function endingPostMortem(backend: Pick<SandboxBackend, "limitCounters">, sessionId: string, reason: "lifetime" | "spend_limit"): Promise<PostMortem> {
  const counters = await backend.limitCounters(sessionId).catch(() => null);
  return buildPostMortem(sessionId, reason, {
    peakMemoryBytes: counters?.peakMemoryBytes || null,
    ...(counters ? { counters: { oomKills: counters.oomKills, pidsLimitHits: counters.pidsLimitHits } } : {}),
  });
}
