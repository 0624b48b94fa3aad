import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { SnapshotSourceChangedError } from "./errors";
import { LocalDirStore } from "./local-dir-store";
import { PackWriter } from "./pack-writer";
import { storeFiles } from "./store-files";
import { walkTree } from "./walk-tree";

let dir: string | null = null;
afterEach(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  dir = null;
});

describe("storeFiles", () => {
  it("refuses a file that became a symlink after the walk, and never reads through it", async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "burrow-sf-"));
    const tree = path.join(dir, "tree");
    fs.mkdirSync(tree);
    fs.writeFileSync(path.join(tree, "secret"), "x");
    const walked = await walkTree(tree);
    fs.rmSync(path.join(tree, "secret"));
    fs.symlinkSync("/etc/passwd", path.join(tree, "secret"));
    const writer = new PackWriter(new LocalDirStore(path.join(dir, "store")));
    await expect(storeFiles(walked.files, new Set(), writer)).rejects.toBeInstanceOf(SnapshotSourceChangedError);
    expect(writer.newBlobs).toBe(0);
  });

  it("refuses a file replaced by another inode after the walk", async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "burrow-sf-"));
    fs.writeFileSync(path.join(dir, "f"), "one");
    const walked = await walkTree(dir);
    fs.renameSync(path.join(dir, "f"), path.join(dir, "g")); // keeps the inode busy, so "f" gets a new one
    fs.writeFileSync(path.join(dir, "f"), "two");
    await expect(storeFiles(walked.files, new Set(), new PackWriter(new LocalDirStore(path.join(dir, "store"))))).rejects.toBeInstanceOf(SnapshotSourceChangedError);
  });
});

describe("walkTree", () => {
  it("lists entries parents-first with whiteouts, symlinks and hard links, and skips sockets", async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "burrow-wt-"));
    fs.mkdirSync(path.join(dir, "b/c"), { recursive: true });
    fs.writeFileSync(path.join(dir, "b/c/f"), "f");
    fs.linkSync(path.join(dir, "b/c/f"), path.join(dir, "a-link"));
    fs.symlinkSync("/nowhere", path.join(dir, "b/l"));
    const server = (await import("node:net")).createServer().listen(path.join(dir, "sock"));
    await new Promise((r) => server.once("listening", r));
    try {
      const w = await walkTree(dir);
      expect(w.entries.map((e) => `${e.type}:${e.path}`)).toEqual(["dir:.", "file:a-link", "dir:b", "dir:b/c", "symlink:b/l", "hardlink:b/c/f"]);
      expect(w.skipped).toEqual(["sock"]);
    } finally {
      server.close();
    }
  });
});
