// Helpers for snapshot store tests: temp dirs that are removed afterwards, a sample tree with
// every kind of entry the store handles, and a full listing of a tree to compare trees by.
import { execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "vitest";
import { type BlobStore, restoreSnapshot } from "@/lib/snapshots/store";

export function makeTempDirs() {
  const dirs: string[] = [];
  return {
    make(prefix = "burrow-snap-"): string {
      const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
      dirs.push(d);
      return d;
    },
    cleanup() {
      for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
    },
  };
}

export function setXattr(p: string, name: string, value: string) {
  execFileSync("setfattr", ["-h", "-n", name, "-v", value, "--", p]);
}

/** upper: files, dirs, a whiteout, an opaque dir, a symlink to /etc/passwd, modes and owners.
 * workspace: source-like files, an empty file, nested dirs, a relative symlink, a hard link. */
export function buildSampleTrees(root: string, opts: { bigFileBytes?: number } = {}) {
  const upper = path.join(root, "upper");
  const workspace = path.join(root, "workspace");
  fs.mkdirSync(path.join(upper, "etc/app"), { recursive: true });
  fs.mkdirSync(path.join(upper, "var/cache/opaque/inner"), { recursive: true });
  fs.writeFileSync(path.join(upper, "etc/app/config.toml"), "name = \"burrow\"\n");
  fs.chmodSync(path.join(upper, "etc/app/config.toml"), 0o640);
  fs.chownSync(path.join(upper, "etc/app/config.toml"), 1000, 1001);
  fs.writeFileSync(path.join(upper, "var/cache/opaque/inner/x.bin"), randomBytes(3000));
  setXattr(path.join(upper, "var/cache/opaque"), "trusted.overlay.opaque", "y");
  execFileSync("mknod", [path.join(upper, "etc/deleted-file"), "c", "0", "0"]);
  fs.symlinkSync("/etc/passwd", path.join(upper, "etc/passwd-link"));
  fs.writeFileSync(path.join(upper, "etc/setuid-tool"), "#!/bin/sh\n");
  fs.chmodSync(path.join(upper, "etc/setuid-tool"), 0o4755);
  fs.mkdirSync(path.join(upper, "tmp"), { mode: 0o1777 });
  fs.chmodSync(path.join(upper, "tmp"), 0o1777);

  fs.mkdirSync(path.join(workspace, "src/lib/deep/er"), { recursive: true });
  fs.writeFileSync(path.join(workspace, "src/index.ts"), "export const a = 1;\n".repeat(200));
  fs.writeFileSync(path.join(workspace, "src/lib/util.ts"), "export function f() { return 42; }\n".repeat(50));
  fs.writeFileSync(path.join(workspace, "src/lib/deep/er/empty.txt"), "");
  fs.writeFileSync(path.join(workspace, "src/lib/deep/same-as-index.ts"), "export const a = 1;\n".repeat(200));
  fs.writeFileSync(path.join(workspace, "name with spaces & ünïcödé.md"), "# hello\n");
  fs.symlinkSync("../index.ts", path.join(workspace, "src/lib/index-link"));
  fs.linkSync(path.join(workspace, "src/index.ts"), path.join(workspace, "src/index-hardlink.ts"));
  fs.writeFileSync(path.join(workspace, "readonly.txt"), "ro\n");
  fs.chmodSync(path.join(workspace, "readonly.txt"), 0o444);
  fs.mkdirSync(path.join(workspace, "locked"));
  fs.writeFileSync(path.join(workspace, "locked/inside.txt"), "inside\n");
  fs.chmodSync(path.join(workspace, "locked"), 0o500);
  execFileSync("mkfifo", [path.join(workspace, "a-fifo")]);
  setXattr(path.join(workspace, "src/index.ts"), "user.origin", "agent");
  if (opts.bigFileBytes) writeBigFile(path.join(workspace, "big.bin"), opts.bigFileBytes);
  fs.utimesSync(path.join(workspace, "src/index.ts"), 1_600_000_000.123456, 1_600_000_000.123456);
  return { upper, workspace };
}

/** Half random, half repetitive, written in 1 MB pieces. */
export function writeBigFile(p: string, bytes: number) {
  const fd = fs.openSync(p, "w");
  try {
    const text = Buffer.from("lorem ipsum dolor sit amet, consectetur adipiscing elit\n".repeat(20_000)).subarray(0, 1 << 20);
    for (let off = 0, i = 0; off < bytes; off += 1 << 20, i++) {
      const piece = i % 2 ? text : randomBytes(1 << 20);
      fs.writeSync(fd, piece.subarray(0, Math.min(piece.length, bytes - off)));
    }
  } finally {
    fs.closeSync(fd);
  }
}

function xattrsOf(p: string): string {
  try {
    return execFileSync("getfattr", ["-h", "-d", "-e", "base64", "-m", "-", "--absolute-names", "--", p], { encoding: "utf8" })
      .split("\n").filter((l) => l && !l.startsWith("#")).sort().join(",");
  } catch {
    return "";
  }
}

/** Node sets times from a double of seconds, so a restored mtime can be off by < 1 µs: lines
 * whose only difference is an mtime within 1 µs count as equal. */
export function expectSameListing(actual: string[], expected: string[]) {
  const mt = /mtime=(\d+)/;
  const aligned = actual.map((line, i) => {
    const a = mt.exec(line)?.[1];
    const e = expected[i] !== undefined ? mt.exec(expected[i])?.[1] : undefined;
    return a && e && Math.abs(Number(a) - Number(e)) <= 1 ? line.replace(mt, `mtime=${e}`) : line;
  });
  expect(aligned).toEqual(expected);
}

/** One line per entry: path, type, mode, owner, mtime (µs), size, content hash, link target,
 * device numbers, xattrs; the tree root's own metadata included as ".". */
export function listTree(root: string, opts: { mtimes?: boolean } = {}): string[] {
  const lines: string[] = [];
  const stack = ["."];
  for (let guard = 0; stack.length; guard++) {
    if (guard > 1_000_000) throw new Error("listTree: too many entries");
    const rel = stack.pop()!;
    const p = rel === "." ? root : path.join(root, rel);
    const st = fs.lstatSync(p, { bigint: true });
    const mode = (Number(st.mode) & 0o7777).toString(8);
    const mtime = opts.mtimes === false ? "" : String(st.mtimeNs / 1000n); // µs
    let detail = "";
    if (st.isFile()) detail = `file ${st.size} ${createHash("sha256").update(fs.readFileSync(p)).digest("hex").slice(0, 16)} links=${st.nlink}`;
    else if (st.isSymbolicLink()) detail = `symlink -> ${fs.readlinkSync(p)}`;
    else if (st.isDirectory()) detail = "dir";
    else if (st.isCharacterDevice()) detail = `chardev ${st.rdev}`;
    else if (st.isFIFO()) detail = "fifo";
    else detail = "other";
    lines.push(`${rel} ${detail} mode=${st.isSymbolicLink() ? "-" : mode} ${st.uid}:${st.gid} mtime=${mtime} xattrs=${st.isSymbolicLink() ? "" : xattrsOf(p)}`);
    if (st.isDirectory()) for (const n of fs.readdirSync(p).sort().reverse()) stack.push(rel === "." ? n : `${rel}/${n}`);
  }
  return lines;
}

/** Restores a written snapshot into a fresh dir, checks both trees came back exactly, returns where. */
export async function expectRestoresExactly(opts: {
  store: BlobStore;
  written: { manifestHash: string; files: number };
  before: { upper: string[]; workspace: string[] };
  temp: { make: () => string };
}) {
  const out = opts.temp.make();
  const targets = { upper: path.join(out, "upper"), workspace: path.join(out, "workspace") };
  const restored = await restoreSnapshot({ store: opts.store, manifestHash: opts.written.manifestHash, targets });
  expect(restored.files).toBe(opts.written.files);
  expectSameListing(listTree(targets.upper), opts.before.upper);
  expectSameListing(listTree(targets.workspace), opts.before.workspace);
  return { out, targets };
}
