import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { FileEntry } from "./manifest-schema";
import type { BlobLocation, IndexRow, PackIndex } from "./pack-index";
import { type FileTarget, nsToSeconds, planRuns, writeKeepingHoles } from "./restore-contents";

const sha = (n: number) => n.toString(16).padStart(64, "0");
const target = (n: number): FileTarget => ({ entry: { sha256: sha(n) } as FileEntry, abs: `/x/${n}`, label: `w:${n}` });

function pack(packId: string, lengths: number[]): PackIndex {
  let offset = 0;
  const blobs: IndexRow[] = lengths.map((len, i) => {
    const row: IndexRow = [sha(i), offset, len, len * 2];
    offset += len;
    return row;
  });
  return { packId, packBytes: offset, blobs };
}

function plan(index: PackIndex, wanted: number[]) {
  const byBlob = new Map(wanted.map((n) => [sha(n), [target(n)]]));
  const locations = new Map<string, BlobLocation>(index.blobs.map(([s, offset, length, rawSize]) => [s, { packId: index.packId, offset, length, rawSize }]));
  return planRuns(byBlob, locations, new Map([[index.packId, index]]));
}

describe("planRuns", () => {
  it("reads neighbouring blobs of a pack in one run, carrying the unneeded ones in between", () => {
    const runs = plan(pack("p", [100, 100, 100, 100]), [0, 2]);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ packId: "p", offset: 0, length: 300 });
    expect(runs[0].rows.map((r) => r.targets.length)).toEqual([1, 0, 1]);
  });

  it("splits runs at large gaps and keeps them under the size cap", () => {
    const gapped = plan(pack("p", [10, 4 << 20, 10]), [0, 2]);
    expect(gapped.map((r) => [r.offset, r.length])).toEqual([[0, 10], [(4 << 20) + 10, 10]]);
    const big = plan(pack("p", [40 << 20, 40 << 20]), [0, 1]);
    expect(big).toHaveLength(2);
  });
});

describe("nsToSeconds", () => {
  it("keeps sub-microsecond precision for present-day times", () => {
    expect(Math.abs(nsToSeconds("1700000000123456789") - 1700000000.123456789)).toBeLessThan(1e-6);
    expect(nsToSeconds("0")).toBe(0);
  });
});

describe("writeKeepingHoles", () => {
  it("writes the non-zero bytes at their offsets and leaves zero blocks unwritten", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "burrow-holes-"));
    try {
      const p = path.join(dir, "f");
      const fd = fs.openSync(p, "w");
      const data = Buffer.alloc(5 * 4096);
      data.write("a", 10); // block 0 (the piece starts at file offset 100)
      data.write("b", 3 * 4096); // block 3
      writeKeepingHoles(fd, data, 100);
      fs.ftruncateSync(fd, 100 + data.length);
      fs.closeSync(fd);
      const back = fs.readFileSync(p);
      expect(back.subarray(100).equals(data)).toBe(true);
      expect(back.subarray(0, 100).equals(Buffer.alloc(100))).toBe(true);
      expect(fs.statSync(p).blocks * 512).toBeLessThanOrEqual(3 * 4096);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
