import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { LocalDirStore, restoreSnapshot, writeSnapshot } from "@/lib/snapshots/store";
import { makeTempDirs } from "./tree-fixtures";

const temp = makeTempDirs();
afterEach(() => temp.cleanup());

const GiB = 1 << 30;
const MiB = 1 << 20;
const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

function readAt(p: string, offset: number, length: number): Buffer {
  const fd = fs.openSync(p, "r");
  try {
    const buf = Buffer.alloc(length);
    fs.readSync(fd, buf, 0, length, offset);
    return buf;
  } finally {
    fs.closeSync(fd);
  }
}

/** Allocated bytes (st_blocks is in 512-byte units whatever the file system's block size). */
const allocated = (p: string) => fs.statSync(p).blocks * 512;

describe("snapshot store and sparse files", () => {
  it("restores a 1 GiB hole and a data-hole-data file with their holes, byte for byte", async () => {
    const src = temp.make();
    const ws = path.join(src, "ws");
    fs.mkdirSync(ws);
    // `truncate -s 1G`: all hole.
    fs.writeFileSync(path.join(ws, "empty-1g"), "");
    fs.truncateSync(path.join(ws, "empty-1g"), GiB);
    // Data at the start, a 256 MiB hole, data at an unaligned spot near the end.
    const head = Buffer.from("head-".repeat(2000));
    const tail = Buffer.from("tail-".repeat(3001));
    const mixed = path.join(ws, "mixed");
    const fd = fs.openSync(mixed, "w");
    fs.writeSync(fd, head, 0, head.length, 0);
    fs.writeSync(fd, tail, 0, tail.length, 256 * MiB + 123);
    fs.closeSync(fd);
    const mixedSize = fs.statSync(mixed).size;
    expect(allocated(path.join(ws, "empty-1g"))).toBeLessThan(MiB); // the source really is sparse

    const store = new LocalDirStore(temp.make("burrow-store-"));
    const written = await writeSnapshot({ store, trees: { workspace: ws } });
    const out = path.join(temp.make(), "ws");
    await restoreSnapshot({ store, manifestHash: written.manifestHash, targets: { workspace: out } });

    const big = path.join(out, "empty-1g");
    expect(fs.statSync(big).size).toBe(GiB);
    expect(allocated(big)).toBeLessThan(MiB);
    expect(readAt(big, GiB - 4096, 4096).equals(Buffer.alloc(4096))).toBe(true);

    const restored = path.join(out, "mixed");
    expect(fs.statSync(restored).size).toBe(mixedSize);
    expect(sha(readAt(restored, 0, head.length))).toBe(sha(head));
    expect(sha(readAt(restored, 256 * MiB + 123, tail.length))).toBe(sha(tail));
    expect(readAt(restored, head.length, 1 * MiB).equals(Buffer.alloc(MiB))).toBe(true);
    expect(allocated(restored)).toBeLessThan(MiB);
  }, 120_000);

  it("keeps a file that ends in zeros at its full size and content", async () => {
    const src = temp.make();
    const ws = path.join(src, "ws");
    fs.mkdirSync(ws);
    const content = Buffer.concat([Buffer.from("x"), Buffer.alloc(3 * 65536 + 17)]);
    fs.writeFileSync(path.join(ws, "zeros-at-end"), content);
    fs.writeFileSync(path.join(ws, "only-zeros"), Buffer.alloc(5000));
    const store = new LocalDirStore(temp.make("burrow-store-"));
    const written = await writeSnapshot({ store, trees: { workspace: ws } });
    const out = path.join(temp.make(), "ws");
    await restoreSnapshot({ store, manifestHash: written.manifestHash, targets: { workspace: out } });
    expect(fs.readFileSync(path.join(out, "zeros-at-end")).equals(content)).toBe(true);
    expect(fs.readFileSync(path.join(out, "only-zeros")).equals(Buffer.alloc(5000))).toBe(true);
  });
});
