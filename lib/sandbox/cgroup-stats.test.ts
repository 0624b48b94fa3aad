import { describe, expect, it } from "vitest";
import { cgroupStatFiles, parseCgroupLayout, parseCgroupStats, parseCpuStatSeconds } from "./cgroup-stats";

// /proc/self/mountinfo of a cgroup v1 host with a hybrid v2 mount (this CI machine's shape).
const HYBRID = `31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
`;
// systemd's usual v1 layout: cpu and cpuacct co-mounted.
const COMOUNTED = `25 24 0:22 / /sys/fs/cgroup rw - tmpfs tmpfs ro,mode=755
28 25 0:25 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:9 - cgroup cgroup rw,cpu,cpuacct
30 25 0:27 / /sys/fs/cgroup/memory rw,nosuid shared:11 - cgroup cgroup rw,memory
31 25 0:28 / /sys/fs/cgroup/pids rw,nosuid shared:12 - cgroup cgroup rw,pids
`;
// Most current hosts: cgroup v2 only.
const UNIFIED = `22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw
26 22 0:23 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
`;

describe("cgroup layout", () => {
  it("uses v1 controllers on a v1 host even when a v2 hierarchy is mounted beside them", () => {
    const layout = parseCgroupLayout(HYBRID);
    expect(layout).toEqual({ version: 1, cpuacct: "/sys/fs/cgroup/cpuacct", memory: "/sys/fs/cgroup/memory", pids: "/sys/fs/cgroup/pids" });
    expect(cgroupStatFiles(layout, "/burrow/burrow-ses_1")).toEqual({
      version: 1,
      cpu: "/sys/fs/cgroup/cpuacct/burrow/burrow-ses_1/cpuacct.usage",
      memory: "/sys/fs/cgroup/memory/burrow/burrow-ses_1/memory.usage_in_bytes",
      pids: "/sys/fs/cgroup/pids/burrow/burrow-ses_1/pids.current",
    });
  });

  it("finds co-mounted v1 controllers", () => {
    expect(parseCgroupLayout(COMOUNTED)).toMatchObject({ version: 1, cpuacct: "/sys/fs/cgroup/cpu,cpuacct" });
  });

  it("uses the unified hierarchy on a v2 host", () => {
    const layout = parseCgroupLayout(UNIFIED);
    expect(layout).toEqual({ version: 2, mountpoint: "/sys/fs/cgroup" });
    expect(cgroupStatFiles(layout, "/burrow/burrow-ses_1")).toEqual({
      version: 2,
      cpu: "/sys/fs/cgroup/burrow/burrow-ses_1/cpu.stat",
      memory: "/sys/fs/cgroup/burrow/burrow-ses_1/memory.current",
      pids: "/sys/fs/cgroup/burrow/burrow-ses_1/pids.current",
    });
  });

  it("refuses a relative or escaping cgroups path, and a host with no usable cgroups", () => {
    expect(() => cgroupStatFiles(parseCgroupLayout(UNIFIED), "burrow/x")).toThrow(/absolute/);
    expect(() => cgroupStatFiles(parseCgroupLayout(UNIFIED), "/burrow/../../etc")).toThrow(/absolute/);
    expect(() => parseCgroupLayout("22 1 8:1 / / rw - ext4 /dev/sda1 rw\n")).toThrow(/cgroup/);
  });
});

describe("cgroup stat files", () => {
  it("reads v1: cpuacct.usage in nanoseconds, memory.usage_in_bytes, pids.current", () => {
    expect(parseCgroupStats(1, { cpu: "2500000000\n", memory: "598016\n", pids: "3\n" })).toEqual({ cpuSeconds: 2.5, memoryBytes: 598016, pids: 3 });
  });

  it("reads v2: usage_usec of cpu.stat, memory.current, pids.current", () => {
    const cpuStat = "usage_usec 1250000\nuser_usec 1000000\nsystem_usec 250000\nnr_periods 4\nnr_throttled 0\nthrottled_usec 0\n";
    expect(parseCpuStatSeconds(cpuStat)).toBe(1.25);
    expect(parseCgroupStats(2, { cpu: cpuStat, memory: "4096\n", pids: "1\n" })).toEqual({ cpuSeconds: 1.25, memoryBytes: 4096, pids: 1 });
  });

  it("refuses contents it cannot read rather than reporting zero", () => {
    expect(() => parseCpuStatSeconds("user_usec 5\n")).toThrow(/usage_usec/);
    expect(() => parseCgroupStats(1, { cpu: "max\n", memory: "1", pids: "1" })).toThrow(/cpuacct/);
    expect(() => parseCgroupStats(2, { cpu: "usage_usec 1\n", memory: "", pids: "1" })).toThrow(/memory/);
  });
});
