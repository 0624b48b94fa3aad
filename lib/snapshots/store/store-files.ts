// Hashes every regular file and stores the contents not yet in the store. Each file is opened
// once with O_NOFOLLOW and checked to be the inode the walk saw; the hash and the compressed copy
// are both read through that descriptor (zstd gets it as /dev/fd/N), so a path swapped for a
// symlink meanwhile cannot redirect the read. A file whose size, mtime or ctime moved while it
// was read fails the snapshot (the sandbox must be stopped): its hash might not match its copy.
import { createHash } from "node:crypto";
import fs, { type BigIntStats } from "node:fs";
import { SnapshotSourceChangedError, SnapshotStoreError } from "./errors";
import type { PackWriter } from "./pack-writer";
import type { WalkedFile } from "./walk-tree";
import { makeYielder } from "./yielder";
import { compressFds, compressFdStream } from "./zstd";
import { splitFrames } from "./zstd-frames";

/** Larger files are compressed alone, streamed, with all cores. */
export const LARGE_FILE_BYTES = 8 << 20;
/** Larger files are hashed with asynchronous reads (no long event-loop stalls). */
const SYNC_READ_MAX_BYTES = 1 << 20;
/** zstd processes running while hashing goes on (the machine's cores are the limit that matters). */
const COMPRESS_PROCESSES = 2;
/** Files per zstd process: a spawn costs the main thread ~8 ms (fork of a large process), so few
 * and large batches; bounded by the descriptor limit, as every file of a batch stays open. */
const BATCH_FILES = Math.max(64, Math.min(2048, Math.floor(openFileLimit() / 8)));
const BATCH_BYTES = 32 << 20;
const READ_BUFFER = 1 << 20;
const OPEN_FLAGS = fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK;

type Opened = { file: WalkedFile; fd: number; before: BigIntStats };

/** Fills entry.sha256 of every file; new contents go to the pack writer; `known` grows.
 * Hashing (this thread) overlaps with compression (up to COMPRESS_PROCESSES zstd processes); at
 * most (COMPRESS_PROCESSES + 1) × BATCH_FILES descriptors are open at once. */
export async function storeFiles(files: readonly WalkedFile[], known: Set<string>, writer: PackWriter): Promise<void> {
  const buf = Buffer.allocUnsafe(READ_BUFFER);
  const yieldNow = makeYielder();
  const open = new Set<Opened>();
  const inflight = new Set<Promise<void>>();
  let failure: unknown = null;
  let batch: Opened[] = [];
  let batchBytes = 0;
  const finish = (o: Opened) => {
    try {
      checkUnchanged(o);
    } finally {
      fs.closeSync(o.fd);
      open.delete(o);
    }
  };
  const launch = async () => {
    const todo = batch;
    batch = [];
    batchBytes = 0;
    if (!todo.length) return;
    while (inflight.size >= COMPRESS_PROCESSES) await Promise.race(inflight);
    if (failure) throw failure;
    const job = compressBatch(todo, writer)
      .then(() => todo.forEach(finish))
      .catch((err) => {
        failure ??= err;
      });
    inflight.add(job);
    void job.finally(() => inflight.delete(job));
  };
  try {
    for (const file of files) {
      if (failure) throw failure;
      const [fd, before] = openPinned(file);
      const o: Opened = { file, fd, before };
      open.add(o);
      const sha = file.entry.size <= SYNC_READ_MAX_BYTES ? hashSync(o.fd, buf) : await hashAsync(o.fd, buf);
      file.entry.sha256 = sha;
      if (known.has(sha)) finish(o);
      else {
        known.add(sha);
        if (file.entry.size > LARGE_FILE_BYTES) {
          await writer.addStream(sha, file.entry.size, compressFdStream(o.fd));
          finish(o);
        } else {
          batch.push(o);
          batchBytes += file.entry.size;
          if (batch.length >= BATCH_FILES || batchBytes >= BATCH_BYTES) await launch();
        }
      }
      await yieldNow();
    }
    await launch();
    await Promise.all(inflight);
    if (failure) throw failure;
  } finally {
    await Promise.allSettled(inflight);
    for (const o of open) fs.closeSync(o.fd);
  }
}

/** A file whose size, mtime or ctime moved while it was read: its hash may not match its copy. */
function checkUnchanged(o: Opened): void {
  const after = fs.fstatSync(o.fd, { bigint: true });
  if (after.size !== o.before.size || after.mtimeNs !== o.before.mtimeNs || after.ctimeNs !== o.before.ctimeNs) {
    throw new SnapshotSourceChangedError(o.file.abs);
  }
}

/** The open descriptor and its stat (the "before" of checkUnchanged). */
function openPinned(file: WalkedFile): [number, BigIntStats] {
  let fd: number;
  try {
    fd = fs.openSync(file.abs, OPEN_FLAGS);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ELOOP" || code === "ENOENT") throw new SnapshotSourceChangedError(file.abs);
    throw err;
  }
  const st = fs.fstatSync(fd, { bigint: true });
  if (!st.isFile() || st.ino !== file.stat.ino || st.dev !== file.stat.dev || Number(st.size) !== file.entry.size) {
    fs.closeSync(fd);
    throw new SnapshotSourceChangedError(file.abs);
  }
  return [fd, st];
}

function hashSync(fd: number, buf: Buffer): string {
  const hash = createHash("sha256");
  for (let pos = 0, guard = 0; guard < 1 << 30; guard++) {
    const n = fs.readSync(fd, buf, 0, buf.length, pos);
    if (n === 0) return hash.digest("hex");
    hash.update(buf.subarray(0, n));
    pos += n;
  }
  throw new SnapshotStoreError("read loop did not end");
}

async function hashAsync(fd: number, buf: Buffer): Promise<string> {
  const hash = createHash("sha256");
  for (let pos = 0, guard = 0; guard < 1 << 30; guard++) {
    const n = await new Promise<number>((resolve, reject) => fs.read(fd, buf, 0, buf.length, pos, (err, bytes) => (err ? reject(err) : resolve(bytes))));
    if (n === 0) return hash.digest("hex");
    hash.update(buf.subarray(0, n));
    pos += n;
  }
  throw new SnapshotStoreError("read loop did not end");
}

async function compressBatch(batch: Opened[], writer: PackWriter): Promise<void> {
  const out = await compressFds(batch.map((o) => o.fd));
  const frames = splitFrames(out);
  if (frames.length !== batch.length) throw new SnapshotStoreError(`zstd wrote ${frames.length} frames for ${batch.length} files`);
  frames.forEach((f, j) => {
    if (f.contentSize !== null && f.contentSize !== batch[j].file.entry.size) throw new SnapshotSourceChangedError(batch[j].file.abs);
  });
  await writer.add(batch.map((o, j) => ({ sha256: o.file.entry.sha256, rawSize: o.file.entry.size, data: out.subarray(frames[j].offset, frames[j].offset + frames[j].length) })));
}

/** The soft limit of open files (Node raises it to the hard limit at start); 1024 if unreadable. */
function openFileLimit(): number {
  try {
    const line = fs.readFileSync("/proc/self/limits", "utf8").split("\n").find((l) => l.startsWith("Max open files"));
    const soft = Number(line?.split(/\s{2,}/)[1]);
    return Number.isFinite(soft) && soft > 0 ? soft : 1024;
  } catch {
    return 1024;
  }
}
