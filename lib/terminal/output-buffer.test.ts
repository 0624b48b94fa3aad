import { describe, expect, it } from "vitest";
import { OutputBuffer } from "./output-buffer";

const text = (chunks: { data: Buffer }[]) => Buffer.concat(chunks.map((c) => c.data)).toString();

describe("OutputBuffer", () => {
  it("gives back what came after an offset, also from inside a chunk", () => {
    const b = new OutputBuffer(100);
    b.append(Buffer.from("hello "));
    b.append(Buffer.from("world"));
    expect(b.end).toBe(11);
    expect(text(b.since(0).chunks)).toBe("hello world");
    expect(text(b.since(3).chunks)).toBe("lo world");
    expect(b.since(3).chunks[0].offset).toBe(3);
    expect(b.since(6).chunks.map((c) => c.offset)).toEqual([6]);
    expect(b.since(11).chunks).toEqual([]);
    expect(b.since(0).gap).toBeNull();
  });

  it("drops the oldest bytes past its size and reports the gap", () => {
    const b = new OutputBuffer(8);
    b.append(Buffer.from("abcdef"));
    b.append(Buffer.from("ghijkl"));
    expect(b.start).toBe(4);
    expect(text(b.since(0).chunks)).toBe("efghijkl");
    expect(b.since(0).gap).toEqual({ from: 0, to: 4 });
    expect(b.since(5).gap).toBeNull();
    expect(text(b.since(5).chunks)).toBe("fghijkl");
  });

  it("keeps the tail of a chunk larger than the whole buffer", () => {
    const b = new OutputBuffer(4);
    b.append(Buffer.from("0123456789"));
    expect(b.start).toBe(6);
    expect(text(b.since(0).chunks)).toBe("6789");
  });

  it("treats an offset past the end as the end", () => {
    const b = new OutputBuffer(10);
    b.append(Buffer.from("abc"));
    expect(b.since(99)).toEqual({ gap: null, chunks: [] });
    expect(text(b.since(-5).chunks)).toBe("abc");
  });
});
