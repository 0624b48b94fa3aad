// One file of a snapshot, read without restoring anything: a sleeping session's file for a caller
// that may not wake it. The path is looked up in one tree of the manifest, walking only through
// plain directories; a symlink on the way is not followed (its target may lie outside the tree),
// and the caller decides what "not in this tree" means (an overlay upper layer hides nothing it
// does not hold; a workspace holds everything).
import { createHash } from "node:crypto";
import type { BlobStore } from "./blob-store";
import { BlobNotFoundError, SnapshotCorruptError } from "./errors";
import { packKey } from "./keys";
import { readAll } from "./manifest";
import type { FileEntry, Manifest, ManifestEntry } from "./manifest-schema";
import { locateBlobs } from "./pack-index";
import { decompressBuffer } from "./zstd";

export type TreeLookup =
  | { kind: "file"; entry: FileEntry }
  | { kind: "directory" }
  /** Definitely not there: a whiteout, a file where a directory would be, or absent below an opaque directory. */
  | { kind: "deleted" }
  /** Not in this tree (an overlay's lower layer may have it). */
  | { kind: "absent" }
  /** A symlink on the way, or a FIFO: not answerable from the tree alone. */
  | { kind: "unresolved"; at: string };

const OPAQUE = ["trusted.overlay.opaque", "user.overlay.opaque"];
const OPAQUE_YES = "eQ=="; // "y", base64 as manifests keep xattrs

/** What `rel` ("a/b/c", no "..", "." or "" for the root) is in one tree of a manifest. */
export function lookupInTree(entries: readonly ManifestEntry[], rel: string): TreeLookup {
  const byPath = new Map(entries.map((e) => [e.path, e]));
  const parts = rel.split("/").filter((p) => p && p !== ".");
  if (!parts.length) return { kind: "directory" };
  let at = "";
  let parentOpaque = false;
  for (let i = 0; i < parts.length; i++) {
    at = at ? `${at}/${parts[i]}` : parts[i];
    let e = byPath.get(at);
    if (e?.type === "hardlink") e = byPath.get(e.target); // manifests only link to files
    const last = i === parts.length - 1;
    if (!e) return parentOpaque ? { kind: "deleted" } : { kind: "absent" };
    if (e.type === "whiteout") return { kind: "deleted" };
    if (e.type === "symlink") return { kind: "unresolved", at };
    if (e.type === "dir") {
      if (last) return { kind: "directory" };
      parentOpaque = OPAQUE.some((x) => e.xattrs?.[x] === OPAQUE_YES);
      continue;
    }
    if (!last) return { kind: "deleted" }; // a file or FIFO where a directory would be
    return e.type === "file" ? { kind: "file", entry: e } : { kind: "unresolved", at };
  }
  return { kind: "absent" };
}

/** The bytes of one file entry of a manifest, checked against its SHA-256. */
export async function readSnapshotFileEntry(store: BlobStore, manifestHash: string, manifest: Manifest, entry: FileEntry): Promise<Buffer> {
  if (entry.size === 0) return Buffer.alloc(0);
  const corrupt = (reason: string, objectKey?: string) =>
    new SnapshotCorruptError(`Snapshot ${manifestHash} is corrupt: ${entry.path} (blob ${entry.sha256}): ${reason}`, { manifestHash, path: entry.path, blob: entry.sha256, objectKey, reason });
  const { locations } = await locateBlobs(store, new Set([entry.sha256]), manifest.packs);
  const loc = locations.get(entry.sha256);
  if (!loc) throw corrupt("blob missing");
  const key = packKey(loc.packId);
  let data: Buffer;
  try {
    data = await decompressBuffer(await readAll(await store.getRange(key, loc.offset, loc.length), loc.length));
  } catch (err) {
    throw corrupt(err instanceof BlobNotFoundError ? "pack missing" : `does not decompress: ${(err as Error).message}`, key);
  }
  if (data.length !== entry.size || createHash("sha256").update(data).digest("hex") !== entry.sha256) throw corrupt("content does not match its SHA-256", key);
  return data;
}
