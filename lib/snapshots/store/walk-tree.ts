// Lists a tree without following symlinks: lstat only, depth-first, names sorted, parents before
// children. Files come back without their hash (store-files adds it). Sockets and device nodes
// other than overlayfs whiteouts (char 0:0) are skipped and reported: they cannot be restored
// meaningfully, and recreating device nodes would be a way out of the sandbox.
import fs, { type BigIntStats } from "node:fs";
import path from "node:path";
import { SnapshotStoreError } from "./errors";
import type { ManifestEntry } from "./manifest-schema";
import { makeYielder } from "./yielder";

export const MAX_ENTRIES_PER_TREE = 5_000_000;

export type WalkedFile = { entry: Extract<ManifestEntry, { type: "file" }>; abs: string; stat: BigIntStats };
export type WalkedTree = { entries: ManifestEntry[]; files: WalkedFile[]; skipped: string[] };

const S_IFMT = 0o170000;
const S_IFCHR = 0o020000;

export async function walkTree(root: string): Promise<WalkedTree> {
  let rootStat: BigIntStats;
  try {
    rootStat = fs.lstatSync(root, { bigint: true });
  } catch (err) {
    throw new SnapshotStoreError(`Cannot read tree ${root}: ${(err as Error).message}`);
  }
  const yieldNow = makeYielder();
  if (!rootStat.isDirectory()) throw new SnapshotStoreError(`Tree root ${root} is not a directory (symlinks are not followed)`);
  const out: WalkedTree = { entries: [base(".", "dir", rootStat)], files: [], skipped: [] };
  const inodes = new Map<string, string>();
  const stack: string[] = ["."];
  while (stack.length) {
    const dirRel = stack.pop()!;
    const dirAbs = dirRel === "." ? root : path.join(root, dirRel);
    await yieldNow();
    const names = fs.readdirSync(dirAbs, { encoding: "buffer" }).map((raw) => {
      const name = raw.toString("utf8");
      if (!Buffer.from(name, "utf8").equals(raw)) throw new SnapshotStoreError(`Unsupported file name (not UTF-8) in ${dirAbs}: ${raw.toString("hex")}`);
      return name;
    });
    names.sort();
    if (out.entries.length + names.length > MAX_ENTRIES_PER_TREE) throw new SnapshotStoreError(`Tree ${root} has more than ${MAX_ENTRIES_PER_TREE} entries`);
    const stats = names.map((n) => fs.lstatSync(path.join(dirAbs, n), { bigint: true }));
    const subdirs: string[] = [];
    for (let i = 0; i < names.length; i++) {
      const rel = dirRel === "." ? names[i] : `${dirRel}/${names[i]}`;
      const abs = path.join(dirAbs, names[i]);
      const st = stats[i];
      if (st.isDirectory()) {
        out.entries.push(base(rel, "dir", st));
        subdirs.push(rel);
      } else if (st.isFile()) {
        const key = `${st.dev}:${st.ino}`;
        const first = st.nlink > 1n ? inodes.get(key) : undefined;
        if (first) {
          out.entries.push({ type: "hardlink", path: rel, target: first });
          continue;
        }
        if (st.nlink > 1n) inodes.set(key, rel);
        const entry = { ...base(rel, "file", st), size: Number(st.size), sha256: "" } as WalkedFile["entry"];
        out.entries.push(entry);
        out.files.push({ entry, abs, stat: st });
      } else if (st.isSymbolicLink()) {
        const raw = fs.readlinkSync(abs, { encoding: "buffer" });
        const target = raw.toString("utf8");
        if (!Buffer.from(target, "utf8").equals(raw)) throw new SnapshotStoreError(`Unsupported symlink target (not UTF-8) at ${abs}`);
        const { mode: _mode, ...rest } = base(rel, "symlink", st);
        out.entries.push({ ...rest, type: "symlink", target });
      } else if ((Number(st.mode) & S_IFMT) === S_IFCHR && st.rdev === 0n) {
        out.entries.push(base(rel, "whiteout", st));
      } else if (st.isFIFO()) {
        out.entries.push(base(rel, "fifo", st));
      } else {
        out.skipped.push(rel);
      }
    }
    for (let i = subdirs.length - 1; i >= 0; i--) stack.push(subdirs[i]);
  }
  return out;
}

// The order is deterministic: a directory's entries together, sorted by name, and its
// subdirectories visited in name order afterwards.

function base<T extends "dir" | "file" | "symlink" | "whiteout" | "fifo">(p: string, type: T, st: BigIntStats) {
  return { type, path: p, mode: Number(st.mode) & 0o7777, uid: Number(st.uid), gid: Number(st.gid), mtimeNs: st.mtimeNs.toString() };
}
