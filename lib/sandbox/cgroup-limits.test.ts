import { describe, expect, it } from "vitest";
import { cgroupLimitFiles, parseLimitCounters } from "./cgroup-limits";

describe("cgroup limit counters", () => {
  it("reads OOM kills, pids-limit hits and peak memory from v1 files", () => {
    const counters = parseLimitCounters({
      oom: "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n",
      pidsEvents: "max 5\n",
      peakMemory: "67108864\n",
    });
    expect(counters).toEqual({ oomKills: 2, pidsLimitHits: 5, peakMemoryBytes: 67108864 });
  });

  it("reads v2 memory.events (oom_kill, not oom or oom_group_kill) and counts a missing file as 0", () => {
    const counters = parseLimitCounters({
      oom: "low 0\nhigh 0\nmax 12\noom 3\noom_kill 1\noom_group_kill 0\n",
      pidsEvents: "",
      peakMemory: "",
    });
    expect(counters).toEqual({ oomKills: 1, pidsLimitHits: 0, peakMemoryBytes: 0 });
  });

  it("names the files of each cgroup version", () => {
    expect(cgroupLimitFiles({ version: 2, mountpoint: "/sys/fs/cgroup" }, "/burrow/x")).toEqual({
      oom: "/sys/fs/cgroup/burrow/x/memory.events", pidsEvents: "/sys/fs/cgroup/burrow/x/pids.events", peakMemory: "/sys/fs/cgroup/burrow/x/memory.peak",
    });
    const v1 = cgroupLimitFiles({ version: 1, cpuacct: "/c", memory: "/m", pids: "/p" }, "/burrow/x");
    expect(v1).toEqual({ oom: "/m/burrow/x/memory.oom_control", pidsEvents: "/p/burrow/x/pids.events", peakMemory: "/m/burrow/x/memory.max_usage_in_bytes" });
  });
});
