import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { restrictDataDir } from "@/lib/data-dir";
import { LocalDirStore, restoreSnapshot, writeSnapshot } from "@/lib/snapshots/store";
import { buildSampleTrees, makeTempDirs } from "./tree-fixtures";

const temp = makeTempDirs();
afterEach(() => temp.cleanup());

/** Every path under root (root included) whose mode gives group or other any permission. */
function openToOthers(root: string, skip: (p: string) => boolean = () => false): string[] {
  const found: string[] = [];
  const stack = [root];
  for (let guard = 0; stack.length && guard < 100_000; guard++) {
    const p = stack.pop()!;
    const st = fs.lstatSync(p);
    if (st.isSymbolicLink() || skip(p)) continue;
    if (st.mode & 0o077) found.push(`${p} ${(st.mode & 0o7777).toString(8)}`);
    if (st.isDirectory()) for (const n of fs.readdirSync(p)) stack.push(path.join(p, n));
  }
  return found;
}

describe("owner-only modes under DATA_DIR", () => {
  it("writes every object and directory of the local snapshot store owner-only", async () => {
    const src = temp.make();
    const trees = buildSampleTrees(src, { bigFileBytes: 9 << 20 }); // also a streamed large file
    const storeRoot = path.join(temp.make(), "data", "snapshots");
    const written = await writeSnapshot({ store: new LocalDirStore(storeRoot), trees });
    expect(openToOthers(path.dirname(storeRoot))).toEqual([]);
    expect(written.files).toBeGreaterThan(10);
  });

  it("tightens an existing DATA_DIR left readable by an older version, and its store still restores", async () => {
    const dataDir = path.join(temp.make(), "data");
    const storeRoot = path.join(dataDir, "snapshots");
    const src = temp.make();
    const trees = buildSampleTrees(src);
    const store = new LocalDirStore(storeRoot);
    const written = await writeSnapshot({ store, trees });
    // What the old code left: 0755 directories, 0644 files.
    const loosen = (p: string) => {
      const st = fs.lstatSync(p);
      fs.chmodSync(p, st.isDirectory() ? 0o755 : 0o644);
      if (st.isDirectory()) for (const n of fs.readdirSync(p)) loosen(path.join(p, n));
    };
    loosen(storeRoot);
    fs.chmodSync(dataDir, 0o755);
    fs.mkdirSync(path.join(dataDir, "sandboxes/ses_1/workspace"), { recursive: true, mode: 0o755 });
    fs.mkdirSync(path.join(dataDir, "templates/tpl_1/rootfs/usr/bin"), { recursive: true, mode: 0o755 });
    fs.writeFileSync(path.join(dataDir, "auth-secret"), "s", { mode: 0o644 });
    expect(openToOthers(dataDir).length).toBeGreaterThan(5);

    const result = await restrictDataDir(dataDir, { othersMayTraverse: false });
    expect(result.changed).toBeGreaterThan(5);
    expect((fs.statSync(dataDir).mode & 0o777).toString(8)).toBe("700");
    // The top of every tenant directory is owner-only; inside, a template's rootfs and a sandbox keep
    // their own modes (the container needs them), out of reach behind their 0700 parents.
    const keepsOwnModes = (p: string) => /\/(sandboxes|templates)\/[^/]+$/.test(p);
    expect(openToOthers(dataDir, keepsOwnModes)).toEqual([]);
    expect((fs.statSync(path.join(dataDir, "templates/tpl_1/rootfs/usr/bin")).mode & 0o777).toString(8)).toBe("755");

    const out = temp.make();
    await restoreSnapshot({ store, manifestHash: written.manifestHash, targets: { upper: path.join(out, "u"), workspace: path.join(out, "w") } });
    expect(fs.readdirSync(path.join(out, "w")).length).toBeGreaterThan(0);
    // Writing into the tightened store keeps it tight.
    fs.writeFileSync(path.join(trees.workspace, "new-file"), "new");
    await writeSnapshot({ store, trees, parent: written.manifestHash });
    expect(openToOthers(storeRoot)).toEqual([]);
  });

  it("lets others only pass through DATA_DIR when an embedded Postgres runs as another user", async () => {
    const dataDir = path.join(temp.make(), "data");
    fs.mkdirSync(dataDir, { mode: 0o755 });
    await restrictDataDir(dataDir, { othersMayTraverse: true });
    expect((fs.statSync(dataDir).mode & 0o777).toString(8)).toBe("711");
  });
});
