import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { LocalDirStore, type ManifestEntry, readManifest, restoreSnapshot, SnapshotCorruptError, writeSnapshot } from "@/lib/snapshots/store";
import { writeManifest } from "@/lib/snapshots/store/manifest";
import { indexKey, packKey } from "@/lib/snapshots/store/keys";
import { locateBlobs, readPackIndex, writePackIndex } from "@/lib/snapshots/store/pack-index";
import { buildSampleTrees, expectSameListing, listTree, makeTempDirs } from "./tree-fixtures";

const temp = makeTempDirs();
afterEach(() => temp.cleanup());

async function setup() {
  const trees = buildSampleTrees(temp.make());
  const storeRoot = temp.make("burrow-store-");
  const store = new LocalDirStore(storeRoot);
  const { manifestHash } = await writeSnapshot({ store, trees });
  const manifest = await readManifest(store, manifestHash);
  const util = manifest.trees.workspace.find((e) => e.path === "src/lib/util.ts");
  if (util?.type !== "file") throw new Error("fixture");
  const { locations } = await locateBlobs(store, new Set([util.sha256]), manifest.packs);
  const loc = locations.get(util.sha256)!;
  // The wake target already holds the session's previous files: they must survive a failed restore.
  const out = temp.make();
  const targets = { upper: path.join(out, "upper"), workspace: path.join(out, "workspace") };
  fs.mkdirSync(targets.workspace, { recursive: true });
  fs.mkdirSync(targets.upper, { recursive: true });
  fs.writeFileSync(path.join(targets.workspace, "keep-me.txt"), "previous content\n");
  const before = { upper: listTree(targets.upper), workspace: listTree(targets.workspace) };
  const packFile = path.join(storeRoot, ...packKey(loc.packId).split("/"));
  return { store, storeRoot, manifestHash, util, loc, out, targets, before, packFile };
}

async function expectCorrupt(promise: Promise<unknown>): Promise<SnapshotCorruptError> {
  const err = await promise.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(SnapshotCorruptError);
  return err as SnapshotCorruptError;
}

describe("snapshot store corruption", () => {
  it("a flipped byte in a stored blob fails the restore, naming path and blob, and leaves the targets as they were", async () => {
    const s = await setup();
    const bytes = fs.readFileSync(s.packFile);
    bytes[s.loc.offset + Math.floor(s.loc.length / 2)] ^= 0xff;
    fs.writeFileSync(s.packFile, bytes);

    const err = await expectCorrupt(restoreSnapshot({ store: s.store, manifestHash: s.manifestHash, targets: s.targets }));
    expect(err.detail).toMatchObject({ path: "workspace:src/lib/util.ts", blob: s.util.sha256, manifestHash: s.manifestHash });
    expect(err.message).toContain("src/lib/util.ts");
    expectSameListing(listTree(s.targets.upper), s.before.upper);
    expectSameListing(listTree(s.targets.workspace), s.before.workspace);
    expect(fs.readdirSync(s.out).sort()).toEqual(["upper", "workspace"]); // no temp dirs left
  });

  it("a deleted pack fails the restore the same way", async () => {
    const s = await setup();
    fs.rmSync(s.packFile);
    const err = await expectCorrupt(restoreSnapshot({ store: s.store, manifestHash: s.manifestHash, targets: s.targets }));
    expect(err.detail.blob).toMatch(/^[0-9a-f]{64}$/);
    expect(err.detail.path).toMatch(/^(upper|workspace):/);
    expectSameListing(listTree(s.targets.workspace), s.before.workspace);
  });

  it("a blob that is in no pack (deleted index) fails before anything is written", async () => {
    const s = await setup();
    fs.rmSync(path.join(s.storeRoot, ...indexKey(s.loc.packId).split("/")));
    const err = await expectCorrupt(restoreSnapshot({ store: s.store, manifestHash: s.manifestHash, targets: s.targets }));
    expect(err.detail.reason).toBe("blob missing");
    expectSameListing(listTree(s.targets.workspace), s.before.workspace);
    expect(fs.readdirSync(s.out).sort()).toEqual(["upper", "workspace"]);
  });

  it("content that decompresses cleanly but does not match its SHA-256 is caught", async () => {
    const ws = temp.make();
    fs.writeFileSync(path.join(ws, "a.txt"), "content a\n".repeat(100));
    fs.writeFileSync(path.join(ws, "b.txt"), "content b\n".repeat(100)); // same size as a.txt
    const store = new LocalDirStore(temp.make("burrow-store-"));
    const { manifestHash } = await writeSnapshot({ store, trees: { workspace: ws } });
    const manifest = await readManifest(store, manifestHash);
    // Swap the two hashes in the index: every frame still decompresses, to the other file's bytes.
    const index = (await readPackIndex(store, manifest.packs[0]))!;
    expect(index.blobs).toHaveLength(2);
    const [shaA, shaB] = [index.blobs[0][0], index.blobs[1][0]];
    index.blobs[0][0] = shaB;
    index.blobs[1][0] = shaA;
    await writePackIndex(store, index);
    const out = path.join(temp.make(), "w");
    const err = await expectCorrupt(restoreSnapshot({ store, manifestHash, targets: { workspace: out } }));
    expect(err.detail.reason).toBe("content does not match its SHA-256");
    expect([shaA, shaB]).toContain(err.detail.blob);
    expect(fs.existsSync(out)).toBe(false);
  });

  it("a blob whose index size disagrees with the manifest fails before anything is written", async () => {
    const s = await setup();
    const index = (await readPackIndex(s.store, s.loc.packId))!;
    const row = index.blobs.find((r) => r[0] === s.util.sha256)!;
    row[3] += 1;
    await writePackIndex(s.store, index);
    const err = await expectCorrupt(restoreSnapshot({ store: s.store, manifestHash: s.manifestHash, targets: s.targets }));
    expect(err.detail).toMatchObject({ reason: "size mismatch", path: "workspace:src/lib/util.ts" });
    expectSameListing(listTree(s.targets.workspace), s.before.workspace);
  });

  it("a manifest with path traversal or an entry below a symlink is rejected as corrupt, and nothing is written", async () => {
    const store = new LocalDirStore(temp.make("burrow-store-"));
    const ws = temp.make();
    fs.writeFileSync(path.join(ws, "f"), "payload");
    const good = await readManifest(store, (await writeSnapshot({ store, trees: { workspace: ws } })).manifestHash);
    const file = good.trees.workspace.find((e) => e.type === "file")!;
    const outside = temp.make();
    const evil = [
      [good.trees.workspace[0], { ...file, path: `../${path.basename(outside)}/escaped` }],
      [good.trees.workspace[0], { ...file, path: `${outside}/absolute` }],
      [good.trees.workspace[0], { type: "symlink", path: "l", target: outside, uid: 0, gid: 0, mtimeNs: "0" }, { ...file, path: "l/through-link" }],
    ] as ManifestEntry[][];
    for (const entries of evil) {
      const { hash } = await writeManifest(store, { ...good, trees: { workspace: entries } });
      const target = path.join(temp.make(), "w");
      const err = await expectCorrupt(restoreSnapshot({ store, manifestHash: hash, targets: { workspace: target } }));
      expect(err.message).toMatch(/segment|absolute path|parent is not a directory/);
      expect(fs.existsSync(target)).toBe(false);
    }
    expect(fs.readdirSync(outside)).toEqual([]);
  });

  it("a corrupt or missing manifest fails with SnapshotCorruptError", async () => {
    const s = await setup();
    const manifestFile = path.join(s.storeRoot, "manifests", `${s.manifestHash}.json.zst`);
    const bytes = fs.readFileSync(manifestFile);
    bytes[bytes.length - 6] ^= 0x01;
    fs.writeFileSync(manifestFile, bytes);
    await expectCorrupt(restoreSnapshot({ store: s.store, manifestHash: s.manifestHash, targets: s.targets }));
    fs.rmSync(manifestFile);
    const err = await expectCorrupt(restoreSnapshot({ store: s.store, manifestHash: s.manifestHash, targets: s.targets }));
    expect(err.detail.reason).toBe("manifest missing");
    expectSameListing(listTree(s.targets.workspace), s.before.workspace);
  });
});
