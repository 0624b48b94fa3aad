// Wake side: restore a snapshot's trees into host directories. Each tree is built in a fresh
// sibling directory (same filesystem) and swapped in only after every tree restored and every
// blob matched its SHA-256; on any error the temporary trees are removed and the targets keep
// what they had. The swap is two renames per target (target → .old, temp → target): a crash in
// between leaves "<target>" missing and ".<name>.old-…" beside it.
import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import type { BlobStore } from "./blob-store";
import { SnapshotCorruptError, SnapshotStoreError } from "./errors";
import { readManifest } from "./manifest";
import type { ManifestEntry } from "./manifest-schema";
import type { IdMap } from "../../sandbox";
import { toHostOwners } from "./owner-ids";
import { locateBlobs } from "./pack-index";
import { type FileTarget, planRuns, restoreContents } from "./restore-contents";
import { createDirectories, createLinksAndNodes, finishDirectories, restoreXattrs } from "./restore-entries";

export type RestoreSnapshotOptions = {
  store: BlobStore;
  manifestHash: string;
  /** tree name → host directory to (re)place; a subset of the snapshot's trees. A target may be
   * absent or hold earlier content (kept untouched unless the restore succeeds). Not a mount point. */
  targets: Record<string, string>;
  /** The targets' user namespace range: stored owners (ids inside) are chowned into it (owner-ids.ts). */
  idMap?: IdMap;
};

export type RestoreSnapshotResult = { files: number; bytes: number; entries: number; durationMs: number };

export async function restoreSnapshot(opts: RestoreSnapshotOptions): Promise<RestoreSnapshotResult> {
  const started = performance.now();
  const { store, manifestHash } = opts;
  const manifest = await readManifest(store, manifestHash);
  const names = Object.keys(opts.targets).sort();
  if (names.length === 0) throw new SnapshotStoreError("restoreSnapshot needs at least one target");
  for (const n of names) if (!manifest.trees[n]) throw new SnapshotStoreError(`Snapshot ${manifestHash} has no tree ${JSON.stringify(n)}`);
  for (const n of names) manifest.trees[n] = toHostOwners(manifest.trees[n], opts.idMap ?? null);

  // Where every needed blob is, before anything is written.
  const byBlob = new Map<string, FileTarget[]>();
  const temps: Record<string, string> = {};
  for (const n of names) temps[n] = path.join(path.dirname(path.resolve(opts.targets[n])), `.${path.basename(opts.targets[n])}.restore-${randomBytes(6).toString("hex")}`);
  let files = 0;
  let bytes = 0;
  for (const n of names) {
    for (const e of manifest.trees[n]) {
      if (e.type !== "file") continue;
      files++;
      bytes += e.size;
      const list = byBlob.get(e.sha256) ?? [];
      list.push({ entry: e, abs: path.join(temps[n], e.path), label: `${n}:${e.path}` });
      byBlob.set(e.sha256, list);
    }
  }
  const { locations, indexes, unreadable } = await locateBlobs(store, new Set(byBlob.keys()), manifest.packs);
  for (const [sha, targets] of byBlob) {
    const loc = locations.get(sha);
    const wrongSize = loc && targets.find((t) => t.entry.size !== loc.rawSize);
    if (wrongSize) {
      throw new SnapshotCorruptError(`Snapshot ${manifestHash} is corrupt: ${wrongSize.label} (blob ${sha}) has ${wrongSize.entry.size} bytes in the manifest, ${loc.rawSize} in pack ${loc.packId}`, {
        manifestHash, path: wrongSize.label, blob: sha, reason: "size mismatch",
      });
    }
    if (loc) continue;
    const why = unreadable.size ? ` (unreadable pack indexes: ${[...unreadable].map(([id, m]) => `${id}: ${m}`).join("; ").slice(0, 500)})` : "";
    throw new SnapshotCorruptError(`Snapshot ${manifestHash} is corrupt: ${targets[0].label} (blob ${sha}) is in no pack of the store${why}`, {
      manifestHash, path: targets[0].label, blob: sha, reason: "blob missing",
    });
  }

  const entries = (n: string): ManifestEntry[] => manifest.trees[n];
  try {
    for (const n of names) {
      await fs.mkdir(path.dirname(temps[n]), { recursive: true });
      await fs.mkdir(temps[n], { mode: 0o700 });
      await createDirectories(temps[n], entries(n));
    }
    await restoreContents({ store, manifestHash, runs: planRuns(byBlob, locations, indexes) });
    for (const n of names) {
      await createLinksAndNodes(temps[n], entries(n));
      await restoreXattrs(temps[n], entries(n));
      await finishDirectories(temps[n], entries(n));
    }
    await swapIn(names.map((n) => ({ temp: temps[n], target: path.resolve(opts.targets[n]) })));
  } catch (err) {
    await Promise.all(names.map((n) => fs.rm(temps[n], { recursive: true, force: true }).catch(() => {})));
    throw err;
  }
  const entryCount = names.reduce((s, n) => s + manifest.trees[n].length, 0);
  return { files, bytes, entries: entryCount, durationMs: Math.round(performance.now() - started) };
}

async function swapIn(pairs: { temp: string; target: string }[]): Promise<void> {
  for (const { target } of pairs) {
    const st = await fs.lstat(target).catch(() => null);
    if (st && !st.isDirectory()) throw new SnapshotStoreError(`Restore target ${target} exists and is not a directory`);
  }
  const done: { temp: string; target: string; old: string | null }[] = [];
  try {
    for (const { temp, target } of pairs) {
      const old = path.join(path.dirname(target), `.${path.basename(target)}.old-${randomBytes(6).toString("hex")}`);
      const had = await fs.lstat(target).then(() => true, () => false);
      if (had) await fs.rename(target, old);
      try {
        await fs.rename(temp, target);
      } catch (err) {
        if (had) await fs.rename(old, target).catch(() => {});
        throw err;
      }
      done.push({ temp, target, old: had ? old : null });
    }
  } catch (err) {
    // Put back the targets already swapped, newest first; the caller removes the temp trees.
    for (const d of done.reverse()) {
      await fs.rename(d.target, d.temp).catch(() => {});
      if (d.old) await fs.rename(d.old, d.target).catch(() => {});
    }
    throw err;
  }
  const olds = done.flatMap((d) => (d.old ? [d.old] : []));
  await Promise.all(olds.map((o) => fs.rm(o, { recursive: true, force: true })));
}
