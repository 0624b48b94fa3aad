import { afterEach, describe, expect, it, vi } from "vitest";
import { characterBoundary, type FramedLine, LineFramer } from "./line-framer";

function framer(opts: { maxLineBytes?: number; idleMs?: number } = {}) {
  const lines: FramedLine[] = [];
  const f = new LineFramer({ idleMs: 0, ...opts, onLine: (l) => lines.push(l) });
  return { f, lines, texts: () => lines.map((l) => l.text) };
}

afterEach(() => vi.useRealTimers());
/** One turn of the event loop: an idle flush runs after the poll phase (setImmediate), which stays real. */
const turn = () => new Promise((r) => setImmediate(r));
const fakeTimeouts = () => vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });

describe("LineFramer", () => {
  it("splits on \\n, drops one \\r before it, keeps empty lines and flushes the last partial line at the end", () => {
    const { f, texts, lines } = framer();
    f.push(Buffer.from("one\r\ntwo\n\nthr"));
    f.push(Buffer.from("ee\rx\nfour"));
    expect(texts()).toEqual(["one", "two", "", "three\rx"]);
    f.end();
    expect(texts()).toEqual(["one", "two", "", "three\rx", "four"]);
    expect(lines.map((l) => l.continued)).toEqual([false, false, false, false, false]);
    expect(lines.map((l) => l.bytes)).toEqual([3, 3, 0, 7, 4]);
    f.push(Buffer.from("after end\n"));
    expect(lines).toHaveLength(5);
  });

  it("keeps a multibyte character whole when it is split across chunks, at every split point", () => {
    const text = "aé€😀b\n";
    const bytes = Buffer.from(text);
    for (let i = 1; i < bytes.length; i++) {
      for (let j = i; j < bytes.length; j++) {
        const { f, texts } = framer();
        f.push(bytes.subarray(0, i));
        f.push(bytes.subarray(i, j));
        f.push(bytes.subarray(j));
        f.end();
        expect(texts()).toEqual(["aé€😀b"]);
      }
    }
  });

  it("makes invalid bytes and NUL safe (U+FFFD) and keeps other control characters", () => {
    const { f, texts } = framer();
    f.push(Buffer.from([0x61, 0xff, 0xfe, 0x00, 0x62, 0x1b, 0x5b, 0x33, 0x31, 0x6d, 0x09, 0x0a]));
    f.push(Buffer.from([0xe2, 0x82])); // a truncated "€" as the very last bytes
    f.end();
    expect(texts()).toEqual(["a\uFFFD\uFFFD\uFFFDb\u001b[31m\t", "\uFFFD"]);
    expect(texts().join("")).not.toContain("\u0000");
  });

  it("cuts a long line into pieces of at most maxLineBytes at character boundaries, marking all but the last as continued", () => {
    const { f, lines } = framer({ maxLineBytes: 16 });
    const long = "€".repeat(20) + "tail"; // 64 bytes of 3-byte characters, then ASCII
    // Delivered in odd-sized chunks, as a pipe would.
    const bytes = Buffer.from(long + "\nnext\n");
    for (let i = 0; i < bytes.length; i += 7) f.push(bytes.subarray(i, i + 7));
    f.end();
    const pieces = lines.slice(0, -1);
    expect(pieces.map((l) => l.text).join("")).toBe(long);
    for (const p of pieces) expect(Buffer.byteLength(p.text)).toBeLessThanOrEqual(16);
    expect(pieces.map((l) => l.continued)).toEqual([...pieces.slice(1).map(() => true), false]);
    expect(pieces.reduce((n, l) => n + l.bytes, 0)).toBe(Buffer.byteLength(long));
    expect(lines.at(-1)).toMatchObject({ text: "next", continued: false });
  });

  it("adds no empty row when a line ends exactly at the limit", () => {
    const { f, texts } = framer({ maxLineBytes: 16 });
    f.push(Buffer.from("x".repeat(16) + "\r\n" + "y".repeat(32) + "\n"));
    f.end();
    expect(texts()).toEqual(["x".repeat(16), "y".repeat(16), "y".repeat(16)]);
  });

  it("emits a partial line after the stream was quiet for idleMs, and the rest of it as the next row", async () => {
    fakeTimeouts();
    const { f, lines } = framer({ idleMs: 250 });
    f.push(Buffer.from("done\nPassword: "));
    vi.advanceTimersByTime(200);
    expect(lines.map((l) => l.text)).toEqual(["done"]);
    f.push(Buffer.from([0xe2])); // more bytes restart the quiet period; a lone lead byte waits for its character
    vi.advanceTimersByTime(249);
    expect(lines).toHaveLength(1);
    vi.advanceTimersByTime(1);
    await turn();
    expect(lines[1]).toMatchObject({ text: "Password: ", continued: true });
    f.push(Buffer.from([0x82, 0xac]));
    f.push(Buffer.from(" ok\n"));
    // A line flushed while idle and then finished with nothing more adds no empty row.
    f.push(Buffer.from("prompt> "));
    vi.advanceTimersByTime(250);
    await turn();
    f.push(Buffer.from("\n"));
    f.end();
    expect(lines.map((l) => [l.text, l.continued])).toEqual([["done", false], ["Password: ", true], ["€ ok", false], ["prompt> ", true]]);
  });

  it("does not count time while paused as quiet: the idle clock starts anew on resume", async () => {
    fakeTimeouts();
    const { f, texts } = framer({ idleMs: 250 });
    f.push(Buffer.from("done\nhalf a li"));
    f.pause();
    vi.advanceTimersByTime(1_000);
    await turn();
    expect(texts()).toEqual(["done"]);
    f.resume();
    vi.advanceTimersByTime(249);
    f.push(Buffer.from("ne\n"));
    f.push(Buffer.from("prompt> "));
    f.pause();
    f.resume();
    vi.advanceTimersByTime(250);
    await turn();
    expect(texts()).toEqual(["done", "half a line", "prompt> "]);
  });

  it("does not flush a partial line whose rest the event loop reads right after the idle timer (a stalled loop)", async () => {
    fakeTimeouts();
    const { f, texts } = framer({ idleMs: 250 });
    f.push(Buffer.from("half a li"));
    vi.advanceTimersByTime(250); // the timer fires first, as after a stall, with the rest waiting in the pipe
    f.push(Buffer.from("ne\n")); // the poll phase reads it before the next turn
    await turn();
    f.push(Buffer.from("prompt> "));
    vi.advanceTimersByTime(250);
    await turn();
    expect(texts()).toEqual(["half a line", "prompt> "]);
  });

  it("stamps each row with the arrival time of its first byte", () => {
    let t = 1_000;
    const lines: FramedLine[] = [];
    const f = new LineFramer({ idleMs: 0, now: () => new Date(t), onLine: (l) => lines.push(l) });
    f.push(Buffer.from("a\nb"));
    t = 2_000;
    f.push(Buffer.from("b\nc\n"));
    t = 3_000;
    f.push(Buffer.from("\n"));
    expect(lines.map((l) => [l.text, l.at.getTime()])).toEqual([["a", 1000], ["bb", 1000], ["c", 2000], ["", 3000]]);
  });
});

describe("characterBoundary", () => {
  it("backs off only over an unfinished sequence", () => {
    const euro = Buffer.from("a€");
    expect(characterBoundary(euro, 4)).toBe(4);
    expect(characterBoundary(euro, 3)).toBe(1);
    expect(characterBoundary(euro, 2)).toBe(1);
    expect(characterBoundary(Buffer.from([0x80, 0x80, 0x80, 0x80]), 4)).toBe(4);
  });
});
