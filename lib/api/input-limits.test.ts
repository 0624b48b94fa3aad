import { describe, expect, it } from "vitest";
import { AppError } from "./errors";
import { assertJsonDepth, assertSafeJson, assertSafeStrings, isoInstantSchema, isSafeText, MAX_JSON_DEPTH, nanosCursorSchema } from "./input-limits";
import { readJsonBody } from "./read-body";

const codeOf = (fn: () => unknown) => {
  try {
    fn();
    return null;
  } catch (err) {
    return err instanceof AppError ? `${err.status} ${err.code}` : String(err);
  }
};
const nested = (depth: number) => '{"a":'.repeat(depth) + "1" + "}".repeat(depth);

describe("input limits", () => {
  it("refuses NUL and lone surrogates, and keeps every other text", () => {
    for (const bad of ["\u0000", "a\u0000b", "\ud800", "x\udfffy", "\udc00\ud800"]) expect(isSafeText(bad)).toBe(false);
    for (const good of ["", "plain", "😀", "é\u0001\u007f", "\ufffd", "%00"]) expect(isSafeText(good)).toBe(true);
    expect(codeOf(() => assertSafeStrings({ id: "ses_\u0000" }, "params"))).toBe("400 invalid_request");
    expect(codeOf(() => assertSafeStrings({ "\u0000": "x" }, "query"))).toBe("400 invalid_request");
    expect(codeOf(() => assertSafeJson({ a: [{ b: "ok" }, { c: "x\u0000" }] }, "body"))).toBe("400 invalid_request");
    expect(codeOf(() => assertSafeJson({ "k\ud800": 1 }, "body"))).toBe("400 invalid_request");
    expect(codeOf(() => assertSafeJson({ a: ["ok", 1, null, { b: true }] }, "body"))).toBeNull();
  });

  it("names the field that holds the bad text", () => {
    let caught: unknown;
    try {
      assertSafeJson({ metadata: { note: "a\u0000" } }, "body");
    } catch (err) {
      caught = err;
    }
    expect((caught as AppError).details).toEqual({ fields: [{ path: "body.metadata.note", message: expect.stringContaining("NUL") }] });
  });

  it("bounds nesting on the raw text, ignoring brackets inside strings", () => {
    expect(codeOf(() => assertJsonDepth(nested(MAX_JSON_DEPTH)))).toBeNull();
    expect(codeOf(() => assertJsonDepth(nested(MAX_JSON_DEPTH + 1)))).toBe("400 invalid_request");
    expect(codeOf(() => assertJsonDepth("[".repeat(100_000)))).toBe("400 invalid_request");
    expect(codeOf(() => assertJsonDepth(JSON.stringify({ a: "[[[[{{{{".repeat(100), b: '\\"[[[' })))).toBeNull();
  });

  it("answers a body nested 5,000 deep or holding NUL with 400 before it is parsed into anything", async () => {
    const post = (text: string) => new Request("http://x/", { method: "POST", headers: { "content-type": "application/json" }, body: text });
    await expect(readJsonBody(post(`{"metadata":${nested(5000)}}`), 1 << 20)).rejects.toMatchObject({ code: "invalid_request" });
    await expect(readJsonBody(post('{"template":"a\\u0000b"}'), 1 << 20)).rejects.toMatchObject({ code: "invalid_request" });
    await expect(readJsonBody(post('{"template":"a\\ud800"}'), 1 << 20)).rejects.toMatchObject({ code: "invalid_request" });
    expect((await readJsonBody(post('{"template":"a\\u0001😀"}'), 1 << 20)).value).toEqual({ template: "a\u0001😀" });
  });

  it("takes instants from 1970 through 2199 only", () => {
    const schema = isoInstantSchema();
    for (const ok of ["1970-01-01T00:00:00Z", "2024-02-29T12:00:00.123+02:00", "2199-12-31T23:59:59Z"]) expect(schema.safeParse(ok).success).toBe(true);
    for (const bad of ["0000-01-01T00:00:00Z", "1969-12-31T23:59:59Z", "1970-01-01T00:30:00+01:00", "2200-01-01T00:00:00Z", "2300-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "yesterday"]) {
      const parsed = schema.safeParse(bad);
      expect(parsed.success).toBe(false);
      expect(parsed.error?.issues).toHaveLength(1);
    }
  });

  it("takes trace cursors whose nanoseconds fit int8", () => {
    const schema = nanosCursorSchema(16);
    expect(schema.safeParse(`9223372036854775807.${"a".repeat(16)}`).success).toBe(true);
    expect(schema.safeParse(`1733450000000000000.${"0".repeat(16)}`).success).toBe(true);
    for (const bad of [`9223372036854775808.${"a".repeat(16)}`, `99999999999999999999.${"a".repeat(16)}`, `1.${"a".repeat(15)}`, "x", "\u0000"]) {
      expect(schema.safeParse(bad).success).toBe(false);
    }
  });
});
