// A pack's index: which blobs it holds and where. Written after its pack, so an index always
// names a complete pack. Restore finds blobs through the indexes of the packs its manifest lists,
// and through all indexes only when some blob is elsewhere (moved by a GC repack).
import type { BlobStore } from "./blob-store";
import { BlobNotFoundError } from "./errors";
import { indexKey, packIdFromIndexKey } from "./keys";
import { readAll } from "./manifest";
import { runPool } from "./run-pool";
import { compressBuffer, decompressBuffer } from "./zstd";

const INDEX_FORMAT = "burrow-pack-index/1";
const MAX_INDEX_BYTES = 256 << 20;
const SHA = /^[0-9a-f]{64}$/;

/** [sha256, offset, compressed length, raw size] */
export type IndexRow = [string, number, number, number];
export type PackIndex = { packId: string; packBytes: number; blobs: IndexRow[] };
export type BlobLocation = { packId: string; offset: number; length: number; rawSize: number };

export async function writePackIndex(store: BlobStore, index: PackIndex): Promise<number> {
  const json = JSON.stringify({ format: INDEX_FORMAT, pack: index.packId, packBytes: index.packBytes, blobs: index.blobs });
  const compressed = await compressBuffer(Buffer.from(json));
  await store.put(indexKey(index.packId), compressed);
  return compressed.length;
}

/** Reads and checks an index; null when it does not exist. Throws a plain Error when it is corrupt
 * (zstd's frame checksum catches flipped bits; the shape check catches the rest). */
export async function readPackIndex(store: BlobStore, packId: string): Promise<PackIndex | null> {
  let compressed: Buffer;
  try {
    compressed = await readAll(await store.get(indexKey(packId)), MAX_INDEX_BYTES);
  } catch (err) {
    if (err instanceof BlobNotFoundError) return null;
    throw err;
  }
  const raw = JSON.parse((await decompressBuffer(compressed)).toString("utf8")) as { format?: unknown; pack?: unknown; packBytes?: unknown; blobs?: unknown };
  if (raw.format !== INDEX_FORMAT || raw.pack !== packId || !Number.isSafeInteger(raw.packBytes) || !Array.isArray(raw.blobs)) {
    throw new Error(`pack index ${packId} has a bad header`);
  }
  const packBytes = raw.packBytes as number;
  let end = 0;
  for (const row of raw.blobs as unknown[]) {
    const ok = Array.isArray(row) && row.length === 4 && typeof row[0] === "string" && SHA.test(row[0])
      && [row[1], row[2], row[3]].every((n) => Number.isSafeInteger(n) && (n as number) >= 0)
      && row[1] === end && (row[1] as number) + (row[2] as number) <= packBytes;
    if (!ok) throw new Error(`pack index ${packId} has a bad row`);
    end = (row[1] as number) + (row[2] as number);
  }
  if (end !== packBytes) throw new Error(`pack index ${packId} does not cover its pack`);
  return { packId, packBytes, blobs: raw.blobs as IndexRow[] };
}

export async function listPackIds(store: BlobStore): Promise<string[]> {
  const ids: string[] = [];
  for await (const { key } of store.list("indexes/")) {
    const id = packIdFromIndexKey(key);
    if (id) ids.push(id);
  }
  return ids;
}

export type ResolvedBlobs = { locations: Map<string, BlobLocation>; indexes: Map<string, PackIndex>; unreadable: Map<string, string> };

/** Finds where each wanted blob is stored: first in the hinted packs, then (only if some are still
 * missing) in every pack of the store. Unreadable indexes are reported, not thrown. */
export async function locateBlobs(store: BlobStore, wanted: ReadonlySet<string>, hintPacks: readonly string[]): Promise<ResolvedBlobs> {
  const result: ResolvedBlobs = { locations: new Map(), indexes: new Map(), unreadable: new Map() };
  const load = async (ids: readonly string[]) => {
    await runPool(ids.filter((id) => !result.indexes.has(id) && !result.unreadable.has(id)), 4, async (id) => {
      try {
        const index = await readPackIndex(store, id);
        if (!index) return;
        result.indexes.set(id, index);
        for (const [sha, offset, length, rawSize] of index.blobs) {
          if (wanted.has(sha) && !result.locations.has(sha)) result.locations.set(sha, { packId: id, offset, length, rawSize });
        }
      } catch (err) {
        result.unreadable.set(id, (err as Error).message);
      }
    });
  };
  await load([...new Set(hintPacks)]);
  if (result.locations.size < wanted.size) await load(await listPackIds(store));
  return result;
}
