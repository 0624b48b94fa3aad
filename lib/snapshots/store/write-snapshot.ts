// Hibernate side: snapshot host directory trees into the store. Contents are stored once
// (content-addressed by SHA-256, zstd-compressed, packed); the manifest lists every entry and is
// stored last, so a snapshot exists only once everything it references does.
// Precondition: nothing writes to the trees meanwhile (the sandbox is stopped or frozen).
import type { BlobStore } from "./blob-store";
import { SnapshotStoreError } from "./errors";
import { readManifest, writeManifest } from "./manifest";
import { MANIFEST_FORMAT, type Manifest, type ManifestEntry, TREE_NAME } from "./manifest-schema";
import type { IdMap } from "../../sandbox";
import { toInsideOwners } from "./owner-ids";
import { locateBlobs } from "./pack-index";
import { PackWriter } from "./pack-writer";
import { storeFiles } from "./store-files";
import { walkTree, type WalkedTree } from "./walk-tree";
import { readXattrs } from "./xattrs";

export type WriteSnapshotOptions = {
  store: BlobStore;
  /** tree name → host directory, e.g. { upper: "/…/upper", workspace: "/…/workspace" } */
  trees: Record<string, string>;
  /** The snapshot this one follows: recorded, and its stored contents are not stored again. */
  parent?: string | null;
  /** The trees' user namespace range: owners are stored as ids inside it (owner-ids.ts). */
  idMap?: IdMap;
};

export type WriteSnapshotResult = {
  manifestHash: string;
  /** Bytes of all regular files (hard links counted once). */
  logicalBytes: number;
  /** Bytes this call added to the store: new packs, their indexes and the manifest. */
  storedBytes: number;
  newBlobs: number;
  files: number;
  entries: number;
  /** Sockets and device nodes (other than whiteouts) that were left out, as "tree:path". */
  skipped: string[];
  /** E.g. an unreadable parent, so nothing was deduplicated against it. */
  warnings: string[];
  durationMs: number;
  /** Where the time went: reading the parent, walking (with xattrs), hashing and storing contents, the manifest. */
  stepsMs: { parent: number; walk: number; contents: number; manifest: number };
};

export async function writeSnapshot(opts: WriteSnapshotOptions): Promise<WriteSnapshotResult> {
  const started = performance.now();
  const names = Object.keys(opts.trees).sort();
  if (names.length === 0) throw new SnapshotStoreError("writeSnapshot needs at least one tree");
  for (const n of names) if (!TREE_NAME.test(n)) throw new SnapshotStoreError(`bad tree name ${JSON.stringify(n)}`);

  const warnings: string[] = [];
  const known = new Set<string>();
  const parentPacks = new Map<string, string>(); // blob → pack, for the blobs the parent has stored
  if (opts.parent) {
    try {
      const parent = await readManifest(opts.store, opts.parent);
      const wanted = new Set(Object.values(parent.trees).flatMap((es) => es.flatMap((e) => (e.type === "file" ? [e.sha256] : []))));
      const { locations } = await locateBlobs(opts.store, wanted, parent.packs);
      for (const [sha, loc] of locations) {
        known.add(sha);
        parentPacks.set(sha, loc.packId);
      }
    } catch (err) {
      warnings.push(`parent ${opts.parent} not used for deduplication: ${(err as Error).message}`);
    }
  }

  const t1 = performance.now();
  const walked: Record<string, WalkedTree> = {};
  for (const n of names) {
    walked[n] = await walkTree(opts.trees[n]);
    toInsideOwners(walked[n].entries, opts.idMap ?? null);
    await attachXattrs(opts.trees[n], walked[n].entries);
  }

  const t2 = performance.now();
  const writer = new PackWriter(opts.store);
  const files = names.flatMap((n) => walked[n].files);
  await storeFiles(files, known, writer);
  await writer.flush();

  const t3 = performance.now();
  const newPacks = new Set(writer.packIds);
  const usedParentPacks = new Set(files.map((f) => parentPacks.get(f.entry.sha256)).filter((p): p is string => !!p));
  const logicalBytes = files.reduce((sum, f) => sum + f.entry.size, 0);
  const entries = names.reduce((sum, n) => sum + walked[n].entries.length, 0);
  const skipped = names.flatMap((n) => walked[n].skipped.map((p) => `${n}:${p}`));
  const manifest: Manifest = {
    format: MANIFEST_FORMAT,
    createdAt: new Date().toISOString(),
    parent: opts.parent ?? null,
    trees: Object.fromEntries(names.map((n) => [n, walked[n].entries])),
    packs: [...usedParentPacks, ...newPacks].sort(),
    totals: {
      entries,
      files: files.length,
      logicalBytes,
      uniqueBlobs: new Set(files.map((f) => f.entry.sha256)).size,
      newBlobs: writer.newBlobs,
      newBlobBytes: writer.newBlobBytes,
      skipped: skipped.slice(0, 1000),
    },
  };
  const { hash, storedBytes } = await writeManifest(opts.store, manifest);
  return {
    manifestHash: hash,
    logicalBytes,
    storedBytes: writer.storedBytes + storedBytes,
    newBlobs: writer.newBlobs,
    files: files.length,
    entries,
    skipped,
    warnings,
    durationMs: Math.round(performance.now() - started),
    stepsMs: { parent: Math.round(t1 - started), walk: Math.round(t2 - t1), contents: Math.round(t3 - t2), manifest: Math.round(performance.now() - t3) },
  };
}

async function attachXattrs(root: string, entries: ManifestEntry[]): Promise<void> {
  const candidates = entries.filter((e) => e.type === "dir" || e.type === "file" || e.type === "whiteout");
  const found = await readXattrs(root, candidates.map((e) => e.path));
  if (found.size === 0) return;
  for (const e of candidates) {
    const x = found.get(e.path);
    if (x) e.xattrs = sortKeys(x);
  }
}

function sortKeys(obj: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(obj).sort(([a], [b]) => (a < b ? -1 : 1)));
}
