// Everything of a restore except file contents: directories, hard links, symlinks, whiteouts and
// FIFOs, xattrs, and directory metadata last (creating children changes a directory's mtime,
// and a read-only directory mode would block them). All paths were checked by parseManifest and
// every parent was created here as a real directory, so nothing is written through a symlink.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { SnapshotStoreError } from "./errors";
import type { ManifestEntry } from "./manifest-schema";
import { nsToSeconds } from "./restore-contents";
import { runPool } from "./run-pool";
import { writeXattrs } from "./xattrs";
import { makeYielder } from "./yielder";
import { CHILD_ENV } from "./child-env";

const abs = (root: string, p: string) => (p === "." ? root : path.join(root, p));

export async function createDirectories(root: string, entries: readonly ManifestEntry[]): Promise<void> {
  const yieldNow = makeYielder();
  for (const e of entries) {
    if (e.type !== "dir" || e.path === ".") continue;
    fs.mkdirSync(abs(root, e.path), { mode: 0o700 });
    await yieldNow();
  }
}

export async function createLinksAndNodes(root: string, entries: readonly ManifestEntry[]): Promise<void> {
  const yieldNow = makeYielder();
  for (const e of entries) {
    if (e.type === "hardlink") fs.linkSync(abs(root, e.target), abs(root, e.path));
    else if (e.type === "symlink") {
      const p = abs(root, e.path);
      fs.symlinkSync(e.target, p);
      fs.lchownSync(p, e.uid, e.gid);
      const t = nsToSeconds(e.mtimeNs);
      fs.lutimesSync(p, t, t);
    } else continue;
    await yieldNow();
  }
  // Node has no mknod: the coreutils tool, a few at a time (whiteouts are usually few).
  await runPool(entries.filter((e) => e.type === "whiteout" || e.type === "fifo"), 4, async (e) => {
    if (e.type !== "whiteout" && e.type !== "fifo") return;
    const p = abs(root, e.path);
    await mknod(p, e.type === "whiteout" ? ["c", "0", "0"] : ["p"]);
    fs.lchownSync(p, e.uid, e.gid);
    fs.chmodSync(p, e.mode); // p was just made by mknod: not a symlink
    const t = nsToSeconds(e.mtimeNs);
    fs.lutimesSync(p, t, t);
  });
}

export async function restoreXattrs(root: string, entries: readonly ManifestEntry[]): Promise<void> {
  const items = entries.flatMap((e) => (e.type !== "hardlink" && e.xattrs && Object.keys(e.xattrs).length ? [{ path: e.path, xattrs: e.xattrs }] : []));
  if (items.length) await writeXattrs(root, items);
}

/** Owner, mode and mtime of every directory, deepest first. */
export async function finishDirectories(root: string, entries: readonly ManifestEntry[]): Promise<void> {
  const dirs = entries.filter((e) => e.type === "dir").sort((a, b) => depth(b.path) - depth(a.path));
  const yieldNow = makeYielder();
  for (const e of dirs) {
    if (e.type !== "dir") continue;
    const p = abs(root, e.path);
    fs.lchownSync(p, e.uid, e.gid);
    fs.chmodSync(p, e.mode);
    const t = nsToSeconds(e.mtimeNs);
    fs.lutimesSync(p, t, t);
    await yieldNow();
  }
}

const depth = (p: string) => (p === "." ? 0 : p.split("/").length);

function mknod(p: string, spec: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn("mknod", ["-m", "0600", "--", p, ...spec], { stdio: ["ignore", "ignore", "pipe"], env: CHILD_ENV });
    let err = "";
    child.stderr!.setEncoding("utf8").on("data", (d: string) => (err += d));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve() : reject(new SnapshotStoreError(`mknod ${p} failed: ${err.trim().slice(0, 300)}`))));
  });
}
