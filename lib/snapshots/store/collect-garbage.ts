// Deletes what no live snapshot needs: manifests not in the live list, packs none of whose blobs a
// live manifest references (with their indexes), packs left without an index by a crash; and
// rewrites ("repacks") packs that are mostly dead, copying the live frames as they are.
// Objects younger than graceMs are never deleted, so a snapshot being written meanwhile (its packs
// exist before its manifest) survives; a parent's blobs are live, so deduplication stays safe.
// Nothing is deleted when a live manifest cannot be read.
import type { BlobStore } from "./blob-store";
import { manifestHashFromKey, manifestKey, packIdFromPackKey, packKey, indexKey } from "./keys";
import { readAll, readManifest, sha256Hex } from "./manifest";
import { type IndexRow, type PackIndex, readPackIndex } from "./pack-index";
import { PackWriter } from "./pack-writer";
import { decompressBuffer } from "./zstd";

export type CollectGarbageOptions = {
  store: BlobStore;
  liveManifests: string[];
  /** Repack a pack when at least this fraction of its bytes is dead (default 0.5; 1 = never). */
  repackThreshold?: number;
  /** Keep unreferenced objects younger than this (default 1 h; tests use 0). */
  graceMs?: number;
};

export type CollectGarbageResult = {
  deletedManifests: number;
  deletedPacks: number;
  deletedBlobs: number;
  repackedPacks: number;
  /** Store bytes freed: deleted objects minus what repacking wrote. */
  freedBytes: number;
  /** Packs whose index could not be read: kept, and named here. */
  unreadablePacks: string[];
  /** Live blobs found corrupt while repacking (their packs are kept as they are). */
  corruptBlobs: string[];
};

export async function collectGarbage(opts: CollectGarbageOptions): Promise<CollectGarbageResult> {
  const { store } = opts;
  const threshold = opts.repackThreshold ?? 0.5;
  const cutoff = Date.now() - (opts.graceMs ?? 60 * 60 * 1000);
  const result: CollectGarbageResult = { deletedManifests: 0, deletedPacks: 0, deletedBlobs: 0, repackedPacks: 0, freedBytes: 0, unreadablePacks: [], corruptBlobs: [] };

  const live = new Set<string>();
  const liveHashes = new Set(opts.liveManifests);
  for (const hash of liveHashes) {
    const m = await readManifest(store, hash); // throws: better to stop than to delete a live blob
    for (const entries of Object.values(m.trees)) for (const e of entries) if (e.type === "file") live.add(e.sha256);
  }

  for await (const { key, size, modifiedAt } of store.list("manifests/")) {
    const hash = manifestHashFromKey(key);
    if (!hash || liveHashes.has(hash) || modifiedAt > cutoff) continue;
    await store.delete(manifestKey(hash));
    result.deletedManifests++;
    result.freedBytes += size;
  }

  const packs = new Map<string, { size: number; modifiedAt: number }>();
  for await (const { key, size, modifiedAt } of store.list("packs/")) {
    const id = packIdFromPackKey(key);
    if (id) packs.set(id, { size, modifiedAt });
  }
  const indexes = new Map<string, { index: PackIndex; size: number; modifiedAt: number }>();
  for await (const { key, size, modifiedAt } of store.list("indexes/")) {
    const id = /^indexes\/([0-9a-f]{32})\.json\.zst$/.exec(key)?.[1];
    if (!id) continue;
    try {
      const index = await readPackIndex(store, id);
      if (index) indexes.set(id, { index, size, modifiedAt });
    } catch {
      result.unreadablePacks.push(id);
    }
  }

  const kept = new Set<string>(); // live blobs already kept in some pack: further copies are dead
  const writer = new PackWriter(store);
  const retire: string[] = [];
  for (const [id, { index, size: indexSize, modifiedAt }] of [...indexes].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (modifiedAt > cutoff || (packs.get(id)?.modifiedAt ?? 0) > cutoff) {
      for (const [sha] of index.blobs) if (live.has(sha)) kept.add(sha);
      continue;
    }
    const liveRows = index.blobs.filter(([sha]) => live.has(sha) && !kept.has(sha));
    for (const [sha] of liveRows) kept.add(sha);
    const liveBytes = liveRows.reduce((s, r) => s + r[2], 0);
    if (liveRows.length === index.blobs.length || (liveRows.length > 0 && 1 - liveBytes / Math.max(1, index.packBytes) < threshold)) continue;
    if (liveRows.length > 0) {
      const data = await readAll(await store.get(packKey(id)), index.packBytes);
      const bad = await findBadFrames(data, liveRows);
      if (bad.length) {
        result.corruptBlobs.push(...bad); // keep the pack as it is: evidence, and nothing to gain
        continue;
      }
      await writer.add(liveRows.map(([sha, offset, length, rawSize]) => ({ sha256: sha, rawSize, data: data.subarray(offset, offset + length) })));
      result.repackedPacks++;
      // The blobs now live in the new pack; the same count is not "deleted".
      result.deletedBlobs -= liveRows.length;
    }
    result.deletedBlobs += index.blobs.length;
    result.freedBytes += (packs.get(id)?.size ?? 0) + indexSize;
    retire.push(id);
  }
  await writer.flush(); // new packs and indexes exist before old ones go
  result.freedBytes -= writer.storedBytes;
  for (const id of retire) {
    await store.delete(indexKey(id));
    await store.delete(packKey(id));
    result.deletedPacks++;
  }

  for (const [id, { size, modifiedAt }] of packs) {
    if (indexes.has(id) || result.unreadablePacks.includes(id) || modifiedAt > cutoff) continue;
    await store.delete(packKey(id)); // a pack whose index was never written (crash)
    result.deletedPacks++;
    result.freedBytes += size;
  }
  return result;
}

/** Checks live frames before they are copied: one zstd process for all, then each blob's SHA-256. */
async function findBadFrames(pack: Buffer, rows: IndexRow[]): Promise<string[]> {
  let raw: Buffer;
  try {
    raw = await decompressBuffer(Buffer.concat(rows.map(([, offset, length]) => pack.subarray(offset, offset + length))));
  } catch {
    const bad: string[] = [];
    for (const [sha, offset, length] of rows) {
      const one = await decompressBuffer(pack.subarray(offset, offset + length)).catch(() => null);
      if (!one || sha256Hex(one) !== sha) bad.push(sha);
    }
    return bad;
  }
  const bad: string[] = [];
  let pos = 0;
  for (const [sha, , , rawSize] of rows) {
    if (sha256Hex(raw.subarray(pos, pos + rawSize)) !== sha) bad.push(sha);
    pos += rawSize;
  }
  return pos === raw.length ? bad : rows.map((r) => r[0]);
}
