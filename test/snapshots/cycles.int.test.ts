import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { LocalDirStore, restoreSnapshot, writeSnapshot } from "@/lib/snapshots/store";
import { buildSampleTrees, expectSameListing, listTree, makeTempDirs, setXattr } from "./tree-fixtures";

const temp = makeTempDirs();
afterEach(() => temp.cleanup());

// Each cycle hibernates (write), wakes into fresh directories (restore) and goes on working there,
// like a session that moves between runners.
function mutate(trees: { upper: string; workspace: string }, cycle: number) {
  const w = trees.workspace;
  fs.writeFileSync(path.join(w, `cycle-${cycle}.log`), `cycle ${cycle}\n`.repeat(cycle * 100 + 1));
  fs.appendFileSync(path.join(w, "src/index.ts"), `// edit ${cycle}\n`);
  fs.mkdirSync(path.join(w, `dir-${cycle}/nested`), { recursive: true });
  fs.writeFileSync(path.join(w, `dir-${cycle}/nested/data.json`), JSON.stringify({ cycle }));
  if (cycle > 1) fs.rmSync(path.join(w, `dir-${cycle - 1}`), { recursive: true });
  fs.chmodSync(path.join(w, "src/lib/util.ts"), cycle % 2 ? 0o600 : 0o755);
  fs.symlinkSync(`cycle-${cycle}.log`, path.join(w, `latest-${cycle}`));
  execFileSync("mknod", [path.join(trees.upper, `etc/removed-${cycle}`), "c", "0", "0"]);
  fs.mkdirSync(path.join(trees.upper, `opaque-${cycle}`));
  setXattr(path.join(trees.upper, `opaque-${cycle}`), "trusted.overlay.opaque", "y");
}

describe("snapshot store over many cycles", () => {
  it("keeps every file right through five write/restore cycles with changes in between", async () => {
    const store = new LocalDirStore(temp.make("burrow-store-"));
    let trees = buildSampleTrees(temp.make());
    let parent: string | null = null;
    const history: { hash: string; upper: string[]; workspace: string[] }[] = [];
    for (let cycle = 1; cycle <= 5; cycle++) {
      mutate(trees, cycle);
      const expected = { upper: listTree(trees.upper), workspace: listTree(trees.workspace) };
      const written = await writeSnapshot({ store, trees, parent });
      expect(written.warnings).toEqual([]);
      if (parent) expect(written.newBlobs).toBeLessThanOrEqual(4);
      history.push({ hash: written.manifestHash, ...expected });
      const next = temp.make();
      const targets = { upper: path.join(next, "upper"), workspace: path.join(next, "workspace") };
      await restoreSnapshot({ store, manifestHash: written.manifestHash, targets });
      expectSameListing(listTree(targets.upper), expected.upper);
      expectSameListing(listTree(targets.workspace), expected.workspace);
      trees = targets;
      parent = written.manifestHash;
    }
    // Every earlier snapshot still restores to exactly what it was.
    for (const h of history) {
      const out = temp.make();
      await restoreSnapshot({ store, manifestHash: h.hash, targets: { upper: path.join(out, "u"), workspace: path.join(out, "w") } });
      expectSameListing(listTree(path.join(out, "u")), h.upper);
      expectSameListing(listTree(path.join(out, "w")), h.workspace);
    }
  });
});
