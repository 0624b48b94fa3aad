import { describe, expect, it } from "vitest";
import { logEvent, logMatcher, parseLastEventId } from "./log-events";
import { escapeLike } from "./read-session-logs";

const row = (line: string, stream = "stdout", at = new Date("2026-01-01T00:00:05Z")) => ({ seq: 7n, stream, source: "main", at, line });

describe("log events", () => {
  it("encodes a line as one event whose id is its sequence number, whatever the line holds", () => {
    const text = logEvent(row("a\nb\r\n\n: not a comment"));
    expect(text.startsWith("id: 7\ndata: ")).toBe(true);
    expect(text.endsWith("\n\n")).toBe(true);
    expect(text.slice(0, -2).split("\n")).toHaveLength(2);
    expect(JSON.parse(text.split("\n")[1].slice(6))).toEqual({ seq: 7, stream: "stdout", source: "main", at: "2026-01-01T00:00:05.000Z", line: "a\nb\r\n\n: not a comment" });
  });

  it("matches like the database filter: streams, case-insensitive literal substring, inclusive time range", () => {
    expect(logMatcher({})(row("x"))).toBe(true);
    expect(logMatcher({ streams: ["stderr"] })(row("x"))).toBe(false);
    expect(logMatcher({ q: "50%" })(row("Progress 50% done"))).toBe(true);
    expect(logMatcher({ q: "50%" })(row("Progress 500 done"))).toBe(false);
    expect(logMatcher({ q: "DONE" })(row("done"))).toBe(true);
    expect(logMatcher({ from: new Date("2026-01-01T00:00:05Z"), to: new Date("2026-01-01T00:00:05Z") })(row("x"))).toBe(true);
    expect(logMatcher({ from: new Date("2026-01-01T00:00:06Z") })(row("x"))).toBe(false);
  });

  it("escapes LIKE wildcards and the escape character", () => {
    expect(escapeLike("50%_a\\b")).toBe("50\\%\\_a\\\\b");
  });

  it("accepts only sequence numbers as Last-Event-ID", () => {
    expect(parseLastEventId(null)).toBeUndefined();
    expect(parseLastEventId("")).toBeUndefined();
    expect(parseLastEventId("42")).toBe(42);
    expect(parseLastEventId("-1")).toBe("invalid");
    expect(parseLastEventId("1e3")).toBe("invalid");
  });
});
