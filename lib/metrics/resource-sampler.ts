// The runner's one sampling loop over its sandboxes: each tick reads CPU time, memory and pids of
// every running or paused session from its cgroup, turns CPU time into vCPU since the previous
// tick, writes all samples in one insert, and tells the idle policy which sessions were busy. A
// sandbox that cannot be read is skipped for that tick; the others are still written.
import type { SandboxStats } from "../sandbox/types";
import { cpuVcpuBetween, type CpuReading } from "./cpu-rate";
import { type SessionMetricRow, writeSessionMetrics } from "./write-session-metrics";

export type SampledSession = { id: string; tenantId: string; state: string };
export type SampleTick = { written: number; failed: number; busy: number };

const SAMPLED_STATES = new Set(["running", "paused"]);
/** Sandboxes read at once: each read is three small cgroup file reads (no process; see lib/sandbox/cgroup-stats.ts). */
const PARALLEL_READS = 16;

export type ResourceSamplerDeps = {
  stats: (sessionId: string) => Promise<SandboxStats>;
  /** Called for a running session whose CPU use was above `busyVcpu` since the previous tick. */
  onBusy: (sessionId: string) => Promise<void>;
  busyVcpu: number;
  write?: (rows: SessionMetricRow[]) => Promise<unknown>;
  log?: (message: string) => void;
  now?: () => number;
};

export function createResourceSampler(deps: ResourceSamplerDeps) {
  const write = deps.write ?? writeSessionMetrics;
  const now = deps.now ?? Date.now;
  const previous = new Map<string, CpuReading>();
  let ticking = false;

  async function readOne(session: SampledSession): Promise<{ row: SessionMetricRow | null; busy: boolean }> {
    const stats = await deps.stats(session.id);
    const reading = { cpuSeconds: stats.cpuSeconds, atMs: now() };
    const before = previous.get(session.id);
    previous.set(session.id, reading);
    // The first reading of a sandbox only sets the baseline: a rate needs two.
    const cpuVcpu = before ? cpuVcpuBetween(before, reading) : null;
    if (cpuVcpu === null) return { row: null, busy: false };
    const row = { sessionId: session.id, tenantId: session.tenantId, at: new Date(reading.atMs), cpuVcpu, memoryBytes: stats.memoryBytes, pids: stats.pids };
    return { row, busy: session.state === "running" && cpuVcpu > deps.busyVcpu };
  }

  /** One tick over the runner's sessions; a tick still under way makes the next one a no-op. */
  async function sampleOnce(sessions: SampledSession[]): Promise<SampleTick> {
    if (ticking) return { written: 0, failed: 0, busy: 0 };
    ticking = true;
    try {
      const live = sessions.filter((s) => SAMPLED_STATES.has(s.state));
      const liveIds = new Set(live.map((s) => s.id));
      for (const id of previous.keys()) if (!liveIds.has(id)) previous.delete(id);

      const rows: SessionMetricRow[] = [];
      const busy: string[] = [];
      const failures: string[] = [];
      let next = 0;
      const worker = async () => {
        while (next < live.length) {
          const session = live[next++];
          try {
            const result = await readOne(session);
            if (result.row) rows.push(result.row);
            if (result.busy) busy.push(session.id);
          } catch (err) {
            previous.delete(session.id);
            failures.push(`${session.id}: ${(err as Error).message}`);
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(PARALLEL_READS, live.length) }, worker));
      if (failures.length) deps.log?.(`metrics: could not read ${failures.length} of ${live.length} sandbox(es); first: ${failures[0]}`);

      await write(rows);
      const touched = await Promise.allSettled(busy.map((id) => deps.onBusy(id)));
      const touchFailed = touched.find((t) => t.status === "rejected");
      if (touchFailed) deps.log?.(`metrics: could not record activity: ${(touchFailed.reason as Error).message}`);
      return { written: rows.length, failed: failures.length, busy: busy.length };
    } finally {
      ticking = false;
    }
  }

  return { sampleOnce };
}
