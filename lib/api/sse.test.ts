import { describe, expect, it } from "vitest";
import { formatComment, formatEvent, formatJsonEvent, HEARTBEAT_COMMENT, readEventStream, type SseEvent, SseParser } from "./sse";

/** Parses `chunks` in order; returns the events, comments and retries seen. */
function parse(chunks: (string | Uint8Array)[]) {
  const events: SseEvent[] = [];
  const comments: string[] = [];
  const retries: number[] = [];
  const parser = new SseParser({ event: (e) => events.push(e), comment: (c) => comments.push(c), retry: (ms) => retries.push(ms) });
  for (const c of chunks) parser.push(c);
  parser.end();
  return { events, comments, retries };
}

/** Every way of cutting `bytes` in two, plus one byte at a time. */
function splits(bytes: Uint8Array): Uint8Array[][] {
  const out: Uint8Array[][] = [Array.from(bytes, (b) => Uint8Array.of(b))];
  for (let i = 0; i <= bytes.length; i++) out.push([bytes.subarray(0, i), bytes.subarray(i)]);
  return out;
}

const utf8 = (s: string) => new TextEncoder().encode(s);

describe("formatEvent", () => {
  it("writes id, event and one data line per line of the data", () => {
    expect(formatEvent({ id: 7, event: "output", data: "a\nb\r\nc" })).toBe("id: 7\nevent: output\ndata: a\ndata: b\ndata: c\n\n");
    expect(formatEvent({ retry: 2000 })).toBe("retry: 2000\n\n");
    expect(formatJsonEvent("exit", { exitCode: 0 })).toBe('event: exit\ndata: {"exitCode":0}\n\n');
    expect(formatJsonEvent(undefined, { seq: 1 }, 1)).toBe('id: 1\ndata: {"seq":1}\n\n');
  });

  it("refuses an id or event name that would break the framing", () => {
    expect(() => formatEvent({ id: "1\n2", data: "x" })).toThrow();
    expect(() => formatEvent({ event: "a\rb", data: "x" })).toThrow();
  });

  it("writes comments, one line each", () => {
    expect(HEARTBEAT_COMMENT).toBe(": heartbeat\n\n");
    expect(formatComment("a\nb")).toBe(": a\n: b\n\n");
  });

  it("round-trips through the parser whatever the data holds", () => {
    const data = 'line 1\n\n: not a comment\r\ndata: not a field\rend "é🙂"';
    const { events } = parse([formatEvent({ id: "x1", event: "e", data })]);
    expect(events).toEqual([{ event: "e", data: data.replace(/\r\n|\r/g, "\n"), id: "x1" }]);
  });
});

describe("SseParser", () => {
  it("joins multi-line data with newlines and defaults the event to message", () => {
    expect(parse(["data: a\ndata: b\ndata\ndata:c\n\n"]).events).toEqual([{ event: "message", data: "a\nb\n\nc" }]);
  });

  it("reports comments (heartbeats) and skips blocks without data", () => {
    const r = parse([": heartbeat\n\n:open\n\nevent: gap\n\nid: 3\n\n", "data: x\n\n"]);
    expect(r.comments).toEqual(["heartbeat", "open"]);
    expect(r.events).toEqual([{ event: "message", data: "x", id: "3" }]);
  });

  it("keeps the last id for later events, as EventSource does, and ignores ids with NUL", () => {
    const r = parse(["id: 1\ndata: a\n\nevent: gap\ndata: b\n\nid: 2\u0000\ndata: c\n\nid\ndata: d\n\n"]);
    expect(r.events.map((e) => e.id)).toEqual(["1", "1", "1", undefined]);
  });

  it("reads retry only when it is digits, and ignores unknown fields", () => {
    const r = parse(["retry: 2000\nretry: 2s\nfoo: bar\ndata: x\n\n"]);
    expect(r.retries).toEqual([2000]);
    expect(r.events).toEqual([{ event: "message", data: "x" }]);
  });

  it("accepts CRLF and CR line endings, and strips a leading BOM", () => {
    const expected = [{ event: "a", data: "1\n2" }, { event: "b", data: "3" }];
    expect(parse(["event: a\r\ndata: 1\r\ndata: 2\r\n\r\nevent: b\r\ndata: 3\r\n\r\n"]).events).toEqual(expected);
    expect(parse(["event: a\rdata: 1\rdata: 2\r\revent: b\rdata: 3\r\r"]).events).toEqual(expected);
    expect(parse(["\uFEFFdata: x\n\n"]).events).toEqual([{ event: "message", data: "x" }]);
  });

  it("gives the same events wherever the chunks are cut: mid-line, mid-CRLF, mid-UTF-8 character", () => {
    const text = "\uFEFFid: 9\r\nevent: output\r\ndata: héllo 🙂\r\ndata: 世界\r\n\r\n: hb\r\rdata: two\r\r";
    const whole = parse([utf8(text)]);
    expect(whole.events).toEqual([
      { event: "output", data: "héllo 🙂\n世界", id: "9" },
      { event: "message", data: "two", id: "9" },
    ]);
    for (const chunks of splits(utf8(text))) expect(parse(chunks)).toEqual(whole);
  });

  it("drops an event the stream ended before closing", () => {
    expect(parse(["data: complete\n\ndata: cut off"]).events).toEqual([{ event: "message", data: "complete" }]);
  });
});

describe("readEventStream", () => {
  it("yields the events of a body as they complete", async () => {
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        for (const part of ["event: output\nda", "ta: {\"a\":1}\n", "\n: heartbeat\n\nevent: exit\ndata: {}\n\n"]) c.enqueue(utf8(part));
        c.close();
      },
    });
    const seen: SseEvent[] = [];
    for await (const e of readEventStream(body)) seen.push(e);
    expect(seen).toEqual([{ event: "output", data: '{"a":1}' }, { event: "exit", data: "{}" }]);
  });
});
