import { describe, expect, it } from "vitest";
import type { ManifestEntry } from "./manifest-schema";
import { lookupInTree } from "./read-snapshot-file";

const meta = { uid: 0, gid: 0, mtimeNs: "0" };
const dir = (path: string, xattrs?: Record<string, string>): ManifestEntry => ({ type: "dir", path, mode: 0o755, ...meta, ...(xattrs ? { xattrs } : {}) });
const file = (path: string): ManifestEntry => ({ type: "file", path, mode: 0o644, size: 1, sha256: "0".repeat(64), ...meta });
const tree: ManifestEntry[] = [
  dir("."), dir("a"), file("a/f"), { type: "hardlink", path: "a/h", target: "a/f" },
  { type: "symlink", path: "l", target: "a", ...meta }, { type: "whiteout", path: "gone", mode: 0, ...meta },
  dir("o", { "trusted.overlay.opaque": "eQ==" }), { type: "fifo", path: "a/p", mode: 0o644, ...meta },
];

describe("lookupInTree", () => {
  it("finds files and hard links through plain directories", () => {
    expect(lookupInTree(tree, "a/f")).toMatchObject({ kind: "file", entry: { path: "a/f" } });
    expect(lookupInTree(tree, "/a//h")).toMatchObject({ kind: "file", entry: { path: "a/f" } });
    expect(lookupInTree(tree, "a")).toEqual({ kind: "directory" });
    expect(lookupInTree(tree, "")).toEqual({ kind: "directory" });
  });

  it("says deleted only when the tree proves it, and never follows a symlink", () => {
    expect(lookupInTree(tree, "gone")).toEqual({ kind: "deleted" });
    expect(lookupInTree(tree, "gone/x")).toEqual({ kind: "deleted" });
    expect(lookupInTree(tree, "a/f/x")).toEqual({ kind: "deleted" });
    expect(lookupInTree(tree, "o/x")).toEqual({ kind: "deleted" });
    expect(lookupInTree(tree, "a/x")).toEqual({ kind: "absent" });
    expect(lookupInTree(tree, "nowhere/x")).toEqual({ kind: "absent" });
    expect(lookupInTree(tree, "l/f")).toEqual({ kind: "unresolved", at: "l" });
    expect(lookupInTree(tree, "a/p")).toEqual({ kind: "unresolved", at: "a/p" });
  });
});
