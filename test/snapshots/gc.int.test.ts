import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { collectGarbage, LocalDirStore, readManifest, restoreSnapshot, SnapshotCorruptError, snapshotSize, writeSnapshot } from "@/lib/snapshots/store";
import { packKey } from "@/lib/snapshots/store/keys";
import { locateBlobs } from "@/lib/snapshots/store/pack-index";
import { expectSameListing, listTree, makeTempDirs, writeBigFile } from "./tree-fixtures";

const temp = makeTempDirs();
afterEach(() => temp.cleanup());

async function keys(store: LocalDirStore, prefix: string) {
  const out: string[] = [];
  for await (const { key } of store.list(prefix)) out.push(key);
  return out.sort();
}

describe("snapshot store garbage collection", () => {
  it("keeps the blobs of live manifests, deletes the rest, and repacks mostly-dead packs", async () => {
    const store = new LocalDirStore(temp.make("burrow-store-"));
    const ws = temp.make();
    for (let i = 0; i < 20; i++) fs.writeFileSync(path.join(ws, `keep-${i}.txt`), `kept file ${i}\n`.repeat(100));
    for (let i = 0; i < 20; i++) fs.writeFileSync(path.join(ws, `drop-${i}.txt`), `dropped file ${i}\n`.repeat(5000));
    writeBigFile(path.join(ws, "big-dropped.bin"), 9 << 20);
    const a = await writeSnapshot({ store, trees: { workspace: ws } });

    for (let i = 0; i < 20; i++) fs.rmSync(path.join(ws, `drop-${i}.txt`));
    fs.rmSync(path.join(ws, "big-dropped.bin"));
    fs.writeFileSync(path.join(ws, "added.txt"), "added later\n");
    const b = await writeSnapshot({ store, trees: { workspace: ws }, parent: a.manifestHash });
    expect(b.newBlobs).toBe(1);
    const expected = listTree(ws);

    const other = temp.make();
    fs.writeFileSync(path.join(other, "unrelated.txt"), "another session\n");
    const c = await writeSnapshot({ store, trees: { workspace: other } });

    const sizeBefore = await snapshotSize({ store, manifestHash: b.manifestHash });
    const gc = await collectGarbage({ store, liveManifests: [b.manifestHash], graceMs: 0 });
    expect(gc.deletedManifests).toBe(2);
    expect(gc.deletedBlobs).toBe(22); // 20 dropped files, the big file, c's file
    expect(gc.repackedPacks).toBe(1);
    expect(gc.freedBytes).toBeGreaterThan(4 << 20); // the big file is half random
    expect(gc.unreadablePacks).toEqual([]);
    expect(gc.corruptBlobs).toEqual([]);
    expect(await keys(store, "manifests/")).toEqual([`manifests/${b.manifestHash}.json.zst`]);

    const out = temp.make();
    await restoreSnapshot({ store, manifestHash: b.manifestHash, targets: { workspace: path.join(out, "w") } });
    expectSameListing(listTree(path.join(out, "w")), expected);
    const sizeAfter = await snapshotSize({ store, manifestHash: b.manifestHash });
    expect(sizeAfter).toMatchObject({ missingBlobs: 0, uniqueBlobs: sizeBefore.uniqueBlobs });

    await expect(restoreSnapshot({ store, manifestHash: a.manifestHash, targets: { workspace: path.join(out, "a") } })).rejects.toBeInstanceOf(SnapshotCorruptError);
    await expect(restoreSnapshot({ store, manifestHash: c.manifestHash, targets: { workspace: path.join(out, "c") } })).rejects.toBeInstanceOf(SnapshotCorruptError);

    // A second run finds nothing more to do.
    const again = await collectGarbage({ store, liveManifests: [b.manifestHash], graceMs: 0 });
    expect(again).toMatchObject({ deletedManifests: 0, deletedPacks: 0, deletedBlobs: 0, repackedPacks: 0 });

    // A new snapshot deduplicated against b still finds b's (repacked) blobs.
    const d = await writeSnapshot({ store, trees: { workspace: ws }, parent: b.manifestHash });
    expect(d.newBlobs).toBe(0);
  });

  it("does not repack a pack whose live blob is corrupt: keeps it and reports the blob", async () => {
    const root = temp.make("burrow-store-");
    const store = new LocalDirStore(root);
    const ws = temp.make();
    fs.writeFileSync(path.join(ws, "live.txt"), "live content\n".repeat(1000));
    for (let i = 0; i < 10; i++) fs.writeFileSync(path.join(ws, `dead-${i}.txt`), `dead ${i}\n`.repeat(20_000));
    const a = await writeSnapshot({ store, trees: { workspace: ws } });
    for (let i = 0; i < 10; i++) fs.rmSync(path.join(ws, `dead-${i}.txt`));
    const b = await writeSnapshot({ store, trees: { workspace: ws }, parent: a.manifestHash });
    const manifest = await readManifest(store, b.manifestHash);
    const live = manifest.trees.workspace.find((e) => e.path === "live.txt");
    if (live?.type !== "file") throw new Error("fixture");
    const { locations } = await locateBlobs(store, new Set([live.sha256]), manifest.packs);
    const loc = locations.get(live.sha256)!;
    const packFile = path.join(root, ...packKey(loc.packId).split("/"));
    const bytes = fs.readFileSync(packFile);
    bytes[loc.offset + Math.floor(loc.length / 2)] ^= 0xff;
    fs.writeFileSync(packFile, bytes);

    const gc = await collectGarbage({ store, liveManifests: [b.manifestHash], graceMs: 0 });
    expect(gc.corruptBlobs).toEqual([live.sha256]);
    expect(gc.repackedPacks).toBe(0);
    expect(fs.readFileSync(packFile).equals(bytes)).toBe(true);
  });

  it("deletes nothing when a live manifest cannot be read", async () => {
    const store = new LocalDirStore(temp.make("burrow-store-"));
    const ws = temp.make();
    fs.writeFileSync(path.join(ws, "f"), "x");
    const a = await writeSnapshot({ store, trees: { workspace: ws } });
    await expect(collectGarbage({ store, liveManifests: ["1".repeat(64)], graceMs: 0 })).rejects.toBeInstanceOf(SnapshotCorruptError);
    expect(await keys(store, "manifests/")).toEqual([`manifests/${a.manifestHash}.json.zst`]);
  });

  it("keeps young unreferenced objects (a snapshot being written) within the grace period", async () => {
    const store = new LocalDirStore(temp.make("burrow-store-"));
    const ws = temp.make();
    fs.writeFileSync(path.join(ws, "f"), "x");
    await writeSnapshot({ store, trees: { workspace: ws } });
    const gc = await collectGarbage({ store, liveManifests: [] });
    expect(gc).toMatchObject({ deletedManifests: 0, deletedPacks: 0, deletedBlobs: 0 });
  });
});
