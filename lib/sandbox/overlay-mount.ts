// The root overlay of a sandbox, mounted on the host (runc then pivots into it). Node has no
// mount(2), so this uses util-linux's mount and umount; /proc/self/mountinfo says what is mounted.
import fs from "node:fs/promises";
import { runCommand } from "./run-runtime";
import { SandboxError } from "./sandbox-error";

/** Mount points in /proc/self/mountinfo escape space, tab, newline and backslash as octal. */
const unescapeMountPath = (p: string) => p.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));

export async function mountPointsUnder(dir: string): Promise<string[]> {
  const text = await fs.readFile("/proc/self/mountinfo", "utf8");
  const prefix = dir.endsWith("/") ? dir : `${dir}/`;
  const found: string[] = [];
  for (const line of text.split("\n")) {
    const field = line.split(" ")[4];
    if (!field) continue;
    const mountPoint = unescapeMountPath(field);
    if (mountPoint === dir || mountPoint.startsWith(prefix)) found.push(mountPoint);
  }
  return found;
}

export async function isMountPoint(target: string): Promise<boolean> {
  return (await mountPointsUnder(target)).includes(target);
}

/** lowers: topmost first, as overlayfs wants them. Paths were checked by assertMountablePath. */
export async function mountOverlay(target: string, layers: { lowers: string[]; upper: string; work: string }): Promise<void> {
  const options = `lowerdir=${layers.lowers.join(":")},upperdir=${layers.upper},workdir=${layers.work}`;
  const result = await runCommand("mount", ["-t", "overlay", "overlay", "-o", options, target]);
  if (result.exitCode !== 0) {
    const message = result.stderr.trim();
    const hint = /unknown filesystem type/i.test(message)
      ? " (overlayfs is not available: modprobe overlay)"
      : /upper fs|not supported|invalid argument/i.test(message)
        ? " (the state directory must be on a filesystem overlayfs accepts as upper layer, e.g. ext4, xfs or tmpfs — not overlayfs itself)"
        : "";
    throw new SandboxError("failed", `Could not mount the sandbox's root overlay: ${message}${hint}`, { details: { target } });
  }
}

/**
 * Unmounts everything at or below `dir`, deepest first. A plain umount first; if the mount is still
 * busy (a process of a dead container holding it, which a deleted container should not have) a
 * lazy one, so destroy always leaves the host clean. Bounded: each pass removes at least one mount.
 */
export async function unmountAllUnder(dir: string): Promise<void> {
  for (let pass = 0; pass < 32; pass++) {
    const points = (await mountPointsUnder(dir)).sort((a, b) => b.length - a.length);
    if (points.length === 0) return;
    for (const point of points) {
      const plain = await runCommand("umount", [point]);
      if (plain.exitCode === 0) continue;
      if (!(await isMountPoint(point))) continue; // a parent's unmount already took it
      const lazy = await runCommand("umount", ["-l", point]);
      if (lazy.exitCode !== 0 && (await isMountPoint(point))) {
        throw new SandboxError("failed", `Could not unmount ${point}: ${lazy.stderr.trim() || plain.stderr.trim()}`);
      }
    }
  }
  throw new SandboxError("failed", `Mounts under ${dir} would not go away`);
}
