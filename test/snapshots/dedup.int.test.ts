import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { LocalDirStore, readManifest, restoreSnapshot, writeSnapshot } from "@/lib/snapshots/store";
import { buildSampleTrees, expectSameListing, listTree, makeTempDirs } from "./tree-fixtures";

const temp = makeTempDirs();
afterEach(() => temp.cleanup());

describe("snapshot store deduplication", () => {
  it("stores no new blob for an unchanged tree, and only the changed files for a changed one", async () => {
    const trees = buildSampleTrees(temp.make(), { bigFileBytes: 9 << 20 });
    const store = new LocalDirStore(temp.make("burrow-store-"));
    const first = await writeSnapshot({ store, trees });
    expect(first.newBlobs).toBeGreaterThan(5);

    const again = await writeSnapshot({ store, trees, parent: first.manifestHash });
    expect(again.newBlobs).toBe(0);
    expect(again.warnings).toEqual([]);
    // Only the manifest is new.
    expect(again.storedBytes).toBeLessThan(4096);
    expect((await readManifest(store, again.manifestHash)).parent).toBe(first.manifestHash);

    fs.writeFileSync(path.join(trees.workspace, "src/lib/util.ts"), "export const changed = true;\n");
    fs.writeFileSync(path.join(trees.workspace, "new-file.txt"), "brand new\n");
    fs.writeFileSync(path.join(trees.workspace, "copy-of-index.ts"), fs.readFileSync(path.join(trees.workspace, "src/index.ts")));
    fs.rmSync(path.join(trees.upper, "var"), { recursive: true });
    const changed = await writeSnapshot({ store, trees, parent: again.manifestHash });
    expect(changed.newBlobs).toBe(2); // util.ts and new-file.txt; the copy's content is stored already
    expect(changed.storedBytes).toBeLessThan(8192);

    const out = temp.make();
    await restoreSnapshot({ store, manifestHash: changed.manifestHash, targets: { upper: path.join(out, "u"), workspace: path.join(out, "w") } });
    expectSameListing(listTree(path.join(out, "u")), listTree(trees.upper));
    expectSameListing(listTree(path.join(out, "w")), listTree(trees.workspace));
  });

  it("stores a content once when many files share it", async () => {
    const src = temp.make();
    for (let i = 0; i < 50; i++) fs.writeFileSync(path.join(src, `f${i}`), "same content\n");
    const store = new LocalDirStore(temp.make("burrow-store-"));
    const w = await writeSnapshot({ store, trees: { workspace: src } });
    expect(w).toMatchObject({ files: 50, newBlobs: 1 });
  });

  it("falls back to storing everything when the parent cannot be read", async () => {
    const src = temp.make();
    fs.writeFileSync(path.join(src, "a"), "a");
    const store = new LocalDirStore(temp.make("burrow-store-"));
    const w = await writeSnapshot({ store, trees: { workspace: src }, parent: "0".repeat(64) });
    expect(w.newBlobs).toBe(1);
    expect(w.warnings[0]).toMatch(/not used for deduplication/);
  });
});
