import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { LocalDirStore, readManifest, restoreSnapshot, snapshotSize, writeSnapshot } from "@/lib/snapshots/store";
import { buildSampleTrees, expectRestoresExactly, listTree, makeTempDirs } from "./tree-fixtures";

const temp = makeTempDirs();
afterEach(() => temp.cleanup());

describe("snapshot store round trip", () => {
  it("restores files, dirs, symlinks, empty files, a 50 MB file, modes, owners, a whiteout, a FIFO, xattrs and an opaque dir exactly", async () => {
    const src = temp.make();
    const trees = buildSampleTrees(src, { bigFileBytes: 50 << 20 });
    const store = new LocalDirStore(temp.make("burrow-store-"));
    const before = { upper: listTree(trees.upper), workspace: listTree(trees.workspace) };

    const written = await writeSnapshot({ store, trees });
    expect(written.manifestHash).toMatch(/^[0-9a-f]{64}$/);
    expect(written.files).toBeGreaterThan(10);
    expect(written.logicalBytes).toBeGreaterThan(50 << 20);
    expect(written.storedBytes).toBeLessThan(written.logicalBytes);
    expect(written.skipped).toEqual([]);

    const { out, targets } = await expectRestoresExactly({ store, written, before, temp });

    // The symlink is stored as a link and restored as one; nothing was written through it.
    expect(fs.readlinkSync(path.join(targets.upper, "etc/passwd-link"))).toBe("/etc/passwd");
    const manifest = await readManifest(store, written.manifestHash);
    expect(manifest.trees.upper.find((e) => e.path === "etc/deleted-file")?.type).toBe("whiteout");
    expect(manifest.trees.upper.find((e) => e.path === "var/cache/opaque")).toMatchObject({ type: "dir", xattrs: { "trusted.overlay.opaque": "eQ==" } });
    expect(manifest.parent).toBeNull();
    // No temp or old directories are left beside the targets.
    expect(fs.readdirSync(out).sort()).toEqual(["upper", "workspace"]);

    const size = await snapshotSize({ store, manifestHash: written.manifestHash });
    expect(size.missingBlobs).toBe(0);
    expect(size.storedBytes).toBeGreaterThan(0);
    expect(size.storedBytes).toBeLessThanOrEqual(written.storedBytes);
  });

  it("handles empty trees and restores over a target's previous content", async () => {
    const src = temp.make();
    fs.mkdirSync(path.join(src, "a"));
    fs.mkdirSync(path.join(src, "b"));
    const store = new LocalDirStore(temp.make("burrow-store-"));
    const written = await writeSnapshot({ store, trees: { upper: path.join(src, "a"), workspace: path.join(src, "b") } });
    expect(written).toMatchObject({ files: 0, logicalBytes: 0, newBlobs: 0 });

    const out = temp.make();
    fs.mkdirSync(path.join(out, "ws"));
    fs.writeFileSync(path.join(out, "ws/old.txt"), "old");
    await restoreSnapshot({ store, manifestHash: written.manifestHash, targets: { workspace: path.join(out, "ws") } });
    expect(fs.readdirSync(path.join(out, "ws"))).toEqual([]);
    expect(fs.readdirSync(out)).toEqual(["ws"]);
  });

  it("does not follow a symlinked tree root", async () => {
    const src = temp.make();
    fs.symlinkSync("/etc", path.join(src, "link"));
    const store = new LocalDirStore(temp.make("burrow-store-"));
    await expect(writeSnapshot({ store, trees: { upper: path.join(src, "link") } })).rejects.toThrow(/not a directory/);
  });
});
