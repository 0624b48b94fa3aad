// Writes file contents during a restore. Needed blobs are grouped by pack into runs of adjacent
// frames, each run is fetched with one ranged read and decompressed by one zstd process, and the
// output is cut by the index's raw sizes. Every blob's SHA-256 is checked as it completes; the
// first bad one stops the restore with a SnapshotCorruptError naming its path and blob.
// Holes are kept: all-zero file blocks are skipped rather than written and each file is then
// truncated to its size, so a sparse file (`truncate -s 1G`) costs no more disk after a restore
// than before the snapshot. (Node has no SEEK_DATA/SEEK_HOLE; zero blocks are the robust test.)
import { createHash } from "node:crypto";
import fs from "node:fs";
import type { BlobStore } from "./blob-store";
import { BlobNotFoundError, SnapshotCorruptError } from "./errors";
import { packKey } from "./keys";
import type { FileEntry } from "./manifest-schema";
import type { BlobLocation, IndexRow, PackIndex } from "./pack-index";
import { runPool } from "./run-pool";
import { readAll } from "./manifest";
import { decompressBuffer, decompressStream } from "./zstd";

const MAX_GAP_BYTES = 1 << 20;
const MAX_RUN_BYTES = 64 << 20;
const RUN_CONCURRENCY = 2;
/** File blocks of this size that hold only zeros are left as holes (the common page size). */
const HOLE_BLOCK = 4096;
const ZERO_BLOCK = Buffer.alloc(HOLE_BLOCK);
const CREATE = fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW;

export type FileTarget = { entry: FileEntry; abs: string; label: string };
type Row = { row: IndexRow; targets: FileTarget[] };
type Run = { packId: string; offset: number; length: number; rows: Row[] };

export function planRuns(byBlob: Map<string, FileTarget[]>, locations: Map<string, BlobLocation>, indexes: Map<string, PackIndex>): Run[] {
  const perPack = new Map<string, BlobLocation[]>();
  for (const sha of byBlob.keys()) {
    const loc = locations.get(sha)!;
    perPack.set(loc.packId, [...(perPack.get(loc.packId) ?? []), loc]);
  }
  const runs: Run[] = [];
  for (const [packId, locs] of perPack) {
    const rows = indexes.get(packId)!.blobs;
    const rowAt = new Map(rows.map((r, i) => [r[1], i]));
    locs.sort((a, b) => a.offset - b.offset);
    let run: { first: number; last: number } | null = null;
    const emit = () => {
      if (!run) return;
      const slice = rows.slice(run.first, run.last + 1);
      const offset = slice[0][1];
      const end = slice[slice.length - 1][1] + slice[slice.length - 1][2];
      runs.push({ packId, offset, length: end - offset, rows: slice.map((row) => ({ row, targets: byBlob.get(row[0]) ?? [] })) });
    };
    for (const loc of locs) {
      const i = rowAt.get(loc.offset)!;
      const prevEnd = run ? rows[run.last][1] + rows[run.last][2] : 0;
      if (run && loc.offset - prevEnd <= MAX_GAP_BYTES && loc.offset + loc.length - rows[run.first][1] <= MAX_RUN_BYTES) run.last = i;
      else {
        emit();
        run = { first: i, last: i };
      }
    }
    emit();
  }
  return runs;
}

export async function restoreContents(opts: { store: BlobStore; manifestHash: string; runs: Run[] }): Promise<void> {
  await runPool(opts.runs, RUN_CONCURRENCY, (run) => restoreRun(opts.store, opts.manifestHash, run));
}

function corruptAt(manifestHash: string, key: string, at: Row, reason: string) {
  const t = at.targets[0];
  return new SnapshotCorruptError(`Snapshot ${manifestHash} is corrupt: ${t.label} (blob ${at.row[0]}) in ${key}: ${reason}`, {
    manifestHash, path: t.label, blob: at.row[0], objectKey: key, reason,
  });
}

async function restoreRun(store: BlobStore, manifestHash: string, run: Run): Promise<void> {
  const key = packKey(run.packId);
  let i = 0;
  const corrupt = (reason: string) => corruptAt(manifestHash, key, run.rows.slice(i).find((r) => r.targets.length) ?? run.rows.find((r) => r.targets.length)!, reason);
  let input;
  try {
    input = await store.getRange(key, run.offset, run.length);
  } catch (err) {
    throw err instanceof BlobNotFoundError ? corrupt("pack missing") : err;
  }
  let inputError: Error | null = null;
  input.on("error", (err) => (inputError = err));
  const z = decompressStream(input);
  let remaining = run.rows[0].row[3];
  let written = 0; // bytes of the current row seen so far: the file offset of the next piece
  let hash = createHash("sha256");
  // File writes are synchronous (see yielder.ts); the loop yields at every stdout chunk.
  let open: number[] = [];
  const startRow = () => {
    hash = createHash("sha256");
    remaining = run.rows[i].row[3];
    written = 0;
    open = run.rows[i].targets.map((t) => fs.openSync(t.abs, CREATE, 0o600));
  };
  const finishRow = () => {
    const { row, targets } = run.rows[i];
    try {
      if (targets.length && hash.digest("hex") !== row[0]) throw corrupt("content does not match its SHA-256");
      for (const fd of open) fs.ftruncateSync(fd, row[3]); // trailing holes: the size, no blocks
      open.forEach((fd, k) => setFileMetadata(fd, targets[k].entry));
    } finally {
      for (const fd of open) fs.closeSync(fd);
      open = [];
    }
  };
  try {
    startRow();
    for await (const chunk of z.stdout as AsyncIterable<Buffer>) {
      for (let off = 0; off < chunk.length; ) {
        while (remaining === 0) {
          finishRow();
          if (++i >= run.rows.length) throw await pinpoint(store, manifestHash, run, "decompressed to more bytes than the index records");
          startRow();
        }
        const take = Math.min(remaining, chunk.length - off);
        const piece = chunk.subarray(off, off + take);
        if (open.length) {
          hash.update(piece);
          for (const fd of open) writeKeepingHoles(fd, piece, written);
        }
        written += take;
        remaining -= take;
        off += take;
      }
    }
    try {
      await z.done;
    } catch (err) {
      if (inputError) throw corrupt(`read failed: ${(inputError as Error).message}`);
      // zstd buffers its output, so the position in the stream does not say which frame failed.
      throw await pinpoint(store, manifestHash, run, `does not decompress: ${(err as Error).message}`);
    }
    for (;;) {
      if (remaining !== 0) throw await pinpoint(store, manifestHash, run, "decompressed to fewer bytes than the index records");
      finishRow();
      if (++i >= run.rows.length) break;
      startRow();
    }
  } finally {
    for (const fd of open) fs.closeSync(fd);
    z.stdout.destroy();
    input.destroy(); // closes the pack's file handle when we stopped early
  }
}

/** Checks the run's needed blobs one by one and names the first bad one (slow path, errors only). */
async function pinpoint(store: BlobStore, manifestHash: string, run: Run, fallbackReason: string): Promise<SnapshotCorruptError> {
  const key = packKey(run.packId);
  for (const r of run.rows) {
    if (!r.targets.length) continue;
    const [sha, offset, length, rawSize] = r.row;
    try {
      const data = await decompressBuffer(await readAll(await store.getRange(key, offset, length), length));
      if (data.length !== rawSize) return corruptAt(manifestHash, key, r, `decompresses to ${data.length} bytes, not ${rawSize}`);
      if (createHash("sha256").update(data).digest("hex") !== sha) return corruptAt(manifestHash, key, r, "content does not match its SHA-256");
    } catch (err) {
      return corruptAt(manifestHash, key, r, `does not decompress: ${(err as Error).message}`);
    }
  }
  return corruptAt(manifestHash, key, run.rows.find((r) => r.targets.length)!, fallbackReason);
}

/** Writes `data` at file offset `pos` of a new file, skipping the parts of HOLE_BLOCK-aligned
 * file blocks that are all zeros (they read back as zeros from the hole; finishRow sets the size).
 * Adjacent non-zero blocks go out in one write. */
export function writeKeepingHoles(fd: number, data: Buffer, pos: number): void {
  let dataStart = -1; // start (in data) of the non-zero span not yet written
  for (let off = 0; off < data.length; ) {
    const end = Math.min(data.length, off + HOLE_BLOCK - ((pos + off) % HOLE_BLOCK));
    const zero = data.subarray(off, end).equals(ZERO_BLOCK.subarray(0, end - off));
    if (!zero && dataStart < 0) dataStart = off;
    if (zero && dataStart >= 0) {
      writeFully(fd, data.subarray(dataStart, off), pos + dataStart);
      dataStart = -1;
    }
    off = end;
  }
  if (dataStart >= 0) writeFully(fd, data.subarray(dataStart), pos + dataStart);
}

function writeFully(fd: number, data: Buffer, pos: number): void {
  for (let off = 0, guard = 0; off < data.length; guard++) {
    if (guard > 1 << 20) throw new Error("write loop did not end");
    off += fs.writeSync(fd, data, off, data.length - off, pos + off);
  }
}

export function setFileMetadata(fd: number, e: FileEntry): void {
  fs.fchownSync(fd, e.uid, e.gid); // before chmod: chown clears setuid/setgid bits
  fs.fchmodSync(fd, e.mode);
  const t = nsToSeconds(e.mtimeNs);
  fs.futimesSync(fd, t, t);
}

export function nsToSeconds(ns: string): number {
  const n = BigInt(ns);
  return Number(n / 1_000_000_000n) + Number(n % 1_000_000_000n) / 1e9;
}
