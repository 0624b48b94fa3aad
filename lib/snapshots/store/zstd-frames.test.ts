import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { compressBuffer, compressFds, decompressBuffer } from "./zstd";
import { splitFrames } from "./zstd-frames";

let dir: string | null = null;
afterEach(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  dir = null;
});

describe("splitFrames", () => {
  it("finds one frame per file compressed in one zstd process, with the right content sizes", async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "burrow-frames-"));
    const contents = [Buffer.alloc(0), Buffer.from("hello"), randomBytes(300_000), Buffer.from("abc".repeat(100_000)), Buffer.alloc(70_000, 7)];
    const fds = contents.map((c, i) => {
      fs.writeFileSync(path.join(dir!, `f${i}`), c);
      return fs.openSync(path.join(dir!, `f${i}`), "r");
    });
    try {
      const out = await compressFds(fds);
      const frames = splitFrames(out);
      expect(frames.map((f) => f.contentSize)).toEqual(contents.map((c) => c.length));
      expect(frames.reduce((s, f) => s + f.length, 0)).toBe(out.length);
      for (const [i, f] of frames.entries()) {
        expect((await decompressBuffer(out.subarray(f.offset, f.offset + f.length))).equals(contents[i])).toBe(true);
      }
    } finally {
      for (const fd of fds) fs.closeSync(fd);
    }
  });

  it("handles frames without a content size (streamed input)", async () => {
    const a = await compressBuffer(Buffer.from("x".repeat(1000)));
    const b = await compressBuffer(randomBytes(5000));
    const frames = splitFrames(Buffer.concat([a, b]));
    expect(frames.map((f) => [f.offset, f.length])).toEqual([[0, a.length], [a.length, b.length]]);
  });

  it("rejects truncated and foreign data", async () => {
    const a = await compressBuffer(randomBytes(5000));
    expect(() => splitFrames(a.subarray(0, a.length - 10))).toThrow(/truncated/);
    expect(() => splitFrames(Buffer.from("not zstd at all"))).toThrow(/magic/);
  });
});
