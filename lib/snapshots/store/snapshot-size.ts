// What a snapshot occupies in the store, for quotas: its manifest plus the compressed size of
// every distinct blob it references (shared blobs count fully for each snapshot that uses them).
import type { BlobStore } from "./blob-store";
import { manifestKey } from "./keys";
import { readManifest } from "./manifest";
import { locateBlobs } from "./pack-index";

export type SnapshotSize = { storedBytes: number; logicalBytes: number; uniqueBlobs: number; missingBlobs: number };

export async function snapshotSize(opts: { store: BlobStore; manifestHash: string }): Promise<SnapshotSize> {
  const manifest = await readManifest(opts.store, opts.manifestHash);
  const blobs = new Set<string>();
  for (const entries of Object.values(manifest.trees)) for (const e of entries) if (e.type === "file") blobs.add(e.sha256);
  const { locations } = await locateBlobs(opts.store, blobs, manifest.packs);
  let storedBytes = (await opts.store.size(manifestKey(opts.manifestHash))) ?? 0;
  for (const loc of locations.values()) storedBytes += loc.length;
  return { storedBytes, logicalBytes: manifest.totals.logicalBytes, uniqueBlobs: blobs.size, missingBlobs: blobs.size - locations.size };
}
