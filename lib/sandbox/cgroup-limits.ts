// What a sandbox's cgroup counted against its limits: OOM kills, forks refused at the pids limit,
// and its peak memory. Read on the runner's sampling tick (a post-mortem when a counter moves) and
// just before a session is ended by a limit. Same cgroup paths as cgroup-stats.ts.
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { CgroupLayout } from "./cgroup-stats";
import type { SandboxLimitCounters } from "./types";

export type CgroupLimitFiles = { oom: string; pidsEvents: string; peakMemory: string };

export function cgroupLimitFiles(layout: CgroupLayout, cgroupsPath: string): CgroupLimitFiles {
  if (layout.version === 2) {
    const dir = path.join(layout.mountpoint, cgroupsPath);
    // memory.peak: kernel 5.19 and later.
    return { oom: path.join(dir, "memory.events"), pidsEvents: path.join(dir, "pids.events"), peakMemory: path.join(dir, "memory.peak") };
  }
  return {
    oom: path.join(layout.memory, cgroupsPath, "memory.oom_control"),
    pidsEvents: path.join(layout.pids, cgroupsPath, "pids.events"),
    peakMemory: path.join(layout.memory, cgroupsPath, "memory.max_usage_in_bytes"),
  };
}

/** `key value` lines (memory.events, memory.oom_control, pids.events): the value of `key`, 0 when absent. */
export function flatKeyedValue(text: string, key: string): number {
  for (const line of text.split("\n")) {
    const [k, v] = line.trim().split(/\s+/);
    if (k === key && /^\d+$/.test(v ?? "")) return Number(v);
  }
  return 0;
}

export function parseLimitCounters(text: { oom: string; pidsEvents: string; peakMemory: string }): SandboxLimitCounters {
  const peak = text.peakMemory.trim();
  return {
    oomKills: flatKeyedValue(text.oom, "oom_kill"),
    pidsLimitHits: flatKeyedValue(text.pidsEvents, "max"),
    peakMemoryBytes: /^\d+$/.test(peak) ? Number(peak) : 0,
  };
}

/** A file the kernel does not have (an old one) reads as empty: that counter stays 0. */
export async function readLimitCounters(files: CgroupLimitFiles): Promise<SandboxLimitCounters> {
  const read = (f: string) => readFile(f, "utf8").catch((err: NodeJS.ErrnoException) => {
    if (err.code === "ENOENT") return "";
    throw err;
  });
  const [oom, pidsEvents, peakMemory] = await Promise.all([read(files.oom), read(files.pidsEvents), read(files.peakMemory)]);
  return parseLimitCounters({ oom, pidsEvents, peakMemory });
}
