import { describe, expect, it } from "vitest";
import { SnapshotCorruptError } from "./errors";
import { checkRelativePath, checkTreeEntries, parseManifest, serializeManifest, sha256Hex } from "./manifest";
import { MANIFEST_FORMAT, type Manifest, type ManifestEntry } from "./manifest-schema";

const meta = { uid: 0, gid: 0, mtimeNs: "1700000000000000000" };
const root: ManifestEntry = { type: "dir", path: ".", mode: 0o755, ...meta };
const file = (p: string, sha = "a".repeat(64)): ManifestEntry => ({ type: "file", path: p, mode: 0o644, size: 1, sha256: sha, ...meta });
const dir = (p: string): ManifestEntry => ({ type: "dir", path: p, mode: 0o755, ...meta });

function manifest(entries: ManifestEntry[]): Manifest {
  return {
    format: MANIFEST_FORMAT,
    createdAt: "2026-01-01T00:00:00.000Z",
    parent: null,
    trees: { workspace: entries },
    packs: [],
    totals: { entries: entries.length, files: 0, logicalBytes: 0, uniqueBlobs: 0, newBlobs: 0, newBlobBytes: 0, skipped: [] },
  };
}

describe("checkRelativePath", () => {
  it.each([
    ["/etc/passwd", "absolute path"],
    ["../escape", '".." segment'],
    ["a/../../b", '".." segment'],
    ["a/./b", '"." segment'],
    ["a//b", "empty path segment"],
    ["a/", "empty path segment"],
    ["a\0b", "NUL in path"],
  ])("rejects %j", (p, problem) => {
    expect(checkRelativePath(p)).toBe(problem);
  });

  it("accepts ordinary relative paths, including dots inside names", () => {
    for (const p of ["a", "a/b/c.txt", ".hidden", "..dots..", "name with spaces", "ünïcödé/ok"]) expect(checkRelativePath(p)).toBeNull();
  });
});

describe("checkTreeEntries", () => {
  it("accepts a tree whose parents come first", () => {
    expect(checkTreeEntries([root, dir("a"), file("a/x"), { type: "symlink", path: "a/l", target: "/etc/passwd", ...meta }, { type: "hardlink", path: "h", target: "a/x" }])).toBeNull();
  });

  it("requires the root directory first", () => {
    expect(checkTreeEntries([file("x")])).toMatch(/root directory/);
  });

  it("rejects an entry below a symlink, so restore never writes through one", () => {
    const entries: ManifestEntry[] = [root, { type: "symlink", path: "etc", target: "/etc", ...meta }, file("etc/passwd")];
    expect(checkTreeEntries(entries)).toMatch(/parent is not a directory/);
  });

  it("rejects an entry whose parent directory comes later or not at all", () => {
    expect(checkTreeEntries([root, file("a/x"), dir("a")])).toMatch(/parent is not a directory/);
  });

  it("rejects duplicates, traversal and hard links to anything but an earlier file", () => {
    expect(checkTreeEntries([root, file("x"), file("x")])).toMatch(/duplicate/);
    expect(checkTreeEntries([root, file("../x")])).toMatch(/".." segment/);
    expect(checkTreeEntries([root, { type: "hardlink", path: "h", target: "x" }, file("x")])).toMatch(/hard link/);
    expect(checkTreeEntries([root, dir("d"), { type: "hardlink", path: "h", target: "d" }])).toMatch(/hard link/);
  });
});

describe("parseManifest", () => {
  it("round-trips a manifest and names it by the SHA-256 of its bytes", () => {
    const { bytes, hash } = serializeManifest(manifest([root, file("x")]));
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(parseManifest(bytes, hash).trees.workspace).toHaveLength(2);
    expect(serializeManifest(manifest([root, file("x")])).hash).toBe(hash);
  });

  it("rejects bytes that do not hash to the name", () => {
    const { bytes } = serializeManifest(manifest([root]));
    expect(() => parseManifest(bytes, "0".repeat(64))).toThrow(SnapshotCorruptError);
    expect(() => parseManifest(bytes, "0".repeat(64))).toThrow(/checksum mismatch/);
  });

  function parseRaw(obj: unknown) {
    const { bytes, hash } = serializeManifest(obj as Manifest);
    return () => parseManifest(bytes, hash);
  }

  it("rejects path traversal, absolute paths and unsafe trees as corrupt", () => {
    expect(parseRaw(manifest([root, file("../../etc/cron.d/x")]))).toThrow(/corrupt.*".." segment/);
    expect(parseRaw(manifest([root, file("/etc/passwd")]))).toThrow(/absolute path/);
    expect(parseRaw(manifest([root, { type: "symlink", path: "l", target: "/", ...meta }, file("l/x")]))).toThrow(/parent is not a directory/);
  });

  it("rejects entries that do not fit the schema", () => {
    expect(parseRaw(manifest([root, { ...file("x"), sha256: "nothex" } as ManifestEntry]))).toThrow(/schema/);
    expect(parseRaw(manifest([root, { ...file("x"), mode: 0o170000 } as ManifestEntry]))).toThrow(/schema/);
    expect(parseRaw(manifest([root, { ...dir("d"), xattrs: { "trusted.overlay.origin": "AA==" } } as unknown as ManifestEntry]))).toThrow(/schema/);
    expect(parseRaw(manifest([root, { ...file("x"), extra: 1 } as unknown as ManifestEntry]))).toThrow(/schema/);
    expect(parseRaw({ ...manifest([root]), trees: { "../up": [root] } })).toThrow(/schema/);
    expect(parseRaw({ ...manifest([root]), format: "other/1" })).toThrow(/schema/);
  });

  it("rejects bytes that are not JSON", () => {
    const bytes = Buffer.from("{not json");
    const hash = sha256Hex(bytes);
    expect(() => parseManifest(bytes, hash)).toThrow(/not valid JSON/);
  });
});
