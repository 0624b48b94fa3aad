// Whether a sandbox is paused (its cgroup frozen), from one cgroup file: no `runc state` process.
// The exec agent of a frozen sandbox still has its connections queued by the kernel, so an exec
// would wait for the resume instead of being refused; exec-via-agent.ts asks this first.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { cgroupsPathOf } from "./cgroup-path";

type FreezerFile = { mountpoint: string; file: "cgroup.freeze" | "freezer.state" } | null;
let freezer: Promise<FreezerFile> | null = null;

/** cgroup v2 at /sys/fs/cgroup: cgroup.freeze ("1" when frozen); v1: the freezer controller's freezer.state. */
export function parseFreezer(mountinfo: string): FreezerFile {
  let v1: string | null = null;
  for (const line of mountinfo.split("\n")) {
    const [left, right] = line.split(" - ");
    if (!left || !right) continue;
    const mountpoint = left.split(" ")[4] ?? "";
    const [fstype, , options = ""] = right.split(" ");
    if (fstype === "cgroup2" && mountpoint === "/sys/fs/cgroup") return { mountpoint, file: "cgroup.freeze" };
    if (fstype === "cgroup" && options.split(",").includes("freezer")) v1 ??= mountpoint;
  }
  return v1 ? { mountpoint: v1, file: "freezer.state" } : null;
}

/** True when the container's cgroup is frozen or freezing; false when not, or when it cannot tell. */
export async function sandboxFrozen(containerId: string): Promise<boolean> {
  freezer ??= readFile("/proc/self/mountinfo", "utf8").then(parseFreezer, () => null);
  const f = await freezer;
  if (!f) return false;
  const text = await readFile(path.join(f.mountpoint, cgroupsPathOf(containerId), f.file), "utf8").catch(() => "");
  return f.file === "cgroup.freeze" ? text.trim() === "1" : /FROZEN|FREEZING/.test(text);
}
