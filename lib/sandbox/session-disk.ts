// A sandbox's writable area on a filesystem of its own: a sparse image file, formatted ext4 and
// loop-mounted at `<root>/disk`, holding the overlay's upper and work dirs and /workspace. Writing
// past its size inside the sandbox gets ENOSPC, past its inode count too; the host's disk and the
// other sandboxes never see it. Why this and not overlay project quotas or a tmpfs: see README,
// "Disk limits". Without a size (a backend caller that names none) <root>/disk is a plain directory.
import { statfs } from "node:fs/promises";
import fs from "node:fs/promises";
import { isMountPoint } from "./overlay-mount";
import { runCommand } from "./run-runtime";
import { SandboxError } from "./sandbox-error";
import type { SandboxLayout } from "./sandbox-layout";
import type { SandboxDiskUsage } from "./types";

/** ext4's default ratio (one inode per 16 KiB), stated so a limit is known without reading mkfs's config. */
export const INODES_PER_MIB = 64;
export const MIN_DISK_MIB = 16;

export const defaultInodes = (diskMib: number) => diskMib * INODES_PER_MIB;

/**
 * Makes `<root>/disk` the sandbox's size-limited filesystem: mounts the existing image (a runner
 * restart after a reboot, or a wake on this host's leftover) or makes a new sparse one. Idempotent.
 */
export async function ensureSessionDisk(l: SandboxLayout, disk: { diskMib?: number; inodes?: number }): Promise<void> {
  await fs.mkdir(l.root, { recursive: true, mode: 0o700 });
  await fs.mkdir(l.disk, { recursive: true, mode: 0o700 });
  if (!disk.diskMib || (await isMountPoint(l.disk))) return;
  const exists = await fs.stat(l.diskImage).then(() => true, () => false);
  // Files already in a plain disk/ (written while disk limits were off): an image mounted over them
  // would hide them from the sandbox and its snapshots. They stay where they are, unlimited.
  if (!exists && (await fs.readdir(l.disk)).length > 0) return;
  if (!exists) await makeImage(l.diskImage, disk.diskMib, disk.inodes ?? defaultInodes(disk.diskMib));
  // nodev,nosuid: the area holds only files the sandbox wrote; the overlay on top gets its own flags.
  const mounted = await runCommand("mount", ["-t", "ext4", "-o", "loop,nodev,nosuid,noatime", l.diskImage, l.disk]);
  if (mounted.exitCode !== 0) {
    const hint = /loop|No such device/i.test(mounted.stderr) ? " (no loop devices: modprobe loop, or give the runner /dev/loop-control)" : "";
    throw new SandboxError("failed", `Could not mount the sandbox's disk image: ${mounted.stderr.trim()}${hint}`, { details: { image: l.diskImage } });
  }
}

async function makeImage(image: string, diskMib: number, inodes: number): Promise<void> {
  const partial = `${image}.partial`;
  await fs.rm(partial, { force: true });
  // Sparse: the host pays for what the sandbox writes (and ext4's metadata), at most the size.
  await fs.writeFile(partial, "");
  await fs.truncate(partial, diskMib * 1024 * 1024);
  // -m 0: no blocks reserved for root (root in the sandbox would get them anyway); -N: the inode
  // limit; lazy init keeps mkfs from writing the whole inode table of a large image up front.
  const made = await runCommand("mkfs.ext4", ["-q", "-F", "-m", "0", "-N", String(inodes), "-E", "lazy_itable_init=1,lazy_journal_init=1", partial]);
  if (made.exitCode !== 0) {
    await fs.rm(partial, { force: true });
    const missing = /ENOENT|not found/i.test(made.stderr) ? " (install e2fsprogs)" : "";
    throw new SandboxError("failed", `Could not make the sandbox's disk image: ${made.stderr.trim()}${missing}`);
  }
  // Renamed when complete: a crash mid-mkfs leaves no half-made image to mount later.
  await fs.rename(partial, image);
}

/** Space and inodes of the sandbox's filesystem; null when it has none of its own (not mounted). */
export async function sessionDiskUsage(l: SandboxLayout): Promise<SandboxDiskUsage | null> {
  if (!(await isMountPoint(l.disk))) return null;
  const s = await statfs(l.disk);
  return {
    totalBytes: s.blocks * s.bsize,
    freeBytes: s.bavail * s.bsize,
    totalInodes: s.files,
    freeInodes: s.ffree,
  };
}

/** Can this host give sandboxes disk images? null when it can, else what is missing (the runner says so at start). */
export async function checkDiskLimits(): Promise<string | null> {
  const mkfs = await runCommand("mkfs.ext4", ["-V"]).catch(() => null);
  if (!mkfs || mkfs.exitCode !== 0) return "mkfs.ext4 is missing (install e2fsprogs)";
  const loop = await fs.stat("/dev/loop-control").then(() => true, () => false);
  if (!loop) return "no loop devices (/dev/loop-control; modprobe loop, or give the runner's container the loop devices)";
  return null;
}
