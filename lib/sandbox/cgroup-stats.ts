// CPU time, memory and process count of a sandbox read straight from its cgroup files: three small
// reads per sandbox per sample, no process. (Before, each sample of each sandbox spawned `runc
// events --stats`; at 100 idle sessions that alone kept the runner's children at ~75% CPU.)
//
// Where the files are follows runc's own rule for an absolute cgroupsPath (our OCI config's
// `linux.cgroupsPath`, see create-sandbox.ts): with cgroup v2 mounted at /sys/fs/cgroup
// (unified mode) the cgroup is `/sys/fs/cgroup<path>`; otherwise (v1, or hybrid with an extra v2
// mount elsewhere) each v1 controller's mount point + `<path>`.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { SandboxError } from "./sandbox-error";
import type { SandboxStats } from "./types";

export const UNIFIED_MOUNTPOINT = "/sys/fs/cgroup";

export type CgroupLayout =
  | { version: 2; mountpoint: string }
  | { version: 1; cpuacct: string; memory: string; pids: string };

/** The files one sample reads, and how to parse each. */
export type CgroupStatFiles = { version: 1 | 2; cpu: string; memory: string; pids: string };

/** Mount points in /proc/self/mountinfo escape space, tab, newline and backslash as octal. */
const unescapeMountPath = (p: string) => p.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));

/** The cgroup layout runc uses on this host, from the text of /proc/self/mountinfo. */
export function parseCgroupLayout(mountinfo: string): CgroupLayout {
  const v1 = new Map<string, string>();
  let unified: string | null = null;
  for (const line of mountinfo.split("\n")) {
    const [left, right] = line.split(" - ");
    if (!left || !right) continue;
    const mountpoint = unescapeMountPath(left.split(" ")[4] ?? "");
    const [fstype, , superOptions = ""] = right.split(" ");
    if (fstype === "cgroup2" && mountpoint === UNIFIED_MOUNTPOINT) unified = mountpoint;
    if (fstype === "cgroup") {
      for (const option of superOptions.split(",")) if (!v1.has(option)) v1.set(option, mountpoint);
    }
  }
  if (unified) return { version: 2, mountpoint: unified };
  const cpuacct = v1.get("cpuacct");
  const memory = v1.get("memory");
  const pids = v1.get("pids");
  if (!cpuacct || !memory || !pids) {
    throw new SandboxError("failed", "No cgroup v2 at /sys/fs/cgroup and no cgroup v1 cpuacct, memory and pids controllers mounted");
  }
  return { version: 1, cpuacct, memory, pids };
}

export function cgroupStatFiles(layout: CgroupLayout, cgroupsPath: string): CgroupStatFiles {
  if (!path.isAbsolute(cgroupsPath) || cgroupsPath.split("/").includes("..")) {
    throw new SandboxError("invalid_argument", `cgroupsPath must be absolute: ${JSON.stringify(cgroupsPath)}`);
  }
  if (layout.version === 2) {
    const dir = path.join(layout.mountpoint, cgroupsPath);
    return { version: 2, cpu: path.join(dir, "cpu.stat"), memory: path.join(dir, "memory.current"), pids: path.join(dir, "pids.current") };
  }
  return {
    version: 1,
    cpu: path.join(layout.cpuacct, cgroupsPath, "cpuacct.usage"),
    memory: path.join(layout.memory, cgroupsPath, "memory.usage_in_bytes"),
    pids: path.join(layout.pids, cgroupsPath, "pids.current"),
  };
}

function parseCount(text: string, what: string): number {
  const value = Number(text.trim());
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value)) throw new SandboxError("failed", `Unreadable ${what}: ${JSON.stringify(text.slice(0, 80))}`);
  return value;
}

/** cgroup v2 `cpu.stat`: `usage_usec <microseconds>` among other lines. */
export function parseCpuStatSeconds(text: string): number {
  const line = text.split("\n").find((l) => l.startsWith("usage_usec "));
  if (!line) throw new SandboxError("failed", "cpu.stat has no usage_usec");
  return parseCount(line.slice("usage_usec ".length), "cpu.stat usage_usec") / 1e6;
}

/** The three stat files' contents as SandboxStats (v1: cpuacct.usage in nanoseconds). */
export function parseCgroupStats(version: 1 | 2, text: { cpu: string; memory: string; pids: string }): SandboxStats {
  return {
    cpuSeconds: version === 2 ? parseCpuStatSeconds(text.cpu) : parseCount(text.cpu, "cpuacct.usage") / 1e9,
    memoryBytes: parseCount(text.memory, "memory usage"),
    pids: parseCount(text.pids, "pids.current"),
  };
}

/** One sample: the three files read in parallel. A missing cgroup (sandbox gone) is not_found. */
export async function readCgroupStats(files: CgroupStatFiles): Promise<SandboxStats> {
  try {
    const [cpu, memory, pids] = await Promise.all([readFile(files.cpu, "utf8"), readFile(files.memory, "utf8"), readFile(files.pids, "utf8")]);
    return parseCgroupStats(files.version, { cpu, memory, pids });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") throw new SandboxError("not_found", "The sandbox's cgroup does not exist", { cause: err });
    throw err;
  }
}

let hostLayout: Promise<CgroupLayout> | undefined;

/** This host's layout, read once per process (mounts of the cgroup hierarchies do not move). */
export function hostCgroupLayout(): Promise<CgroupLayout> {
  hostLayout ??= readFile("/proc/self/mountinfo", "utf8").then(parseCgroupLayout);
  hostLayout.catch(() => (hostLayout = undefined));
  return hostLayout;
}
