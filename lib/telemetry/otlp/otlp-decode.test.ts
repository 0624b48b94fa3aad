import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { AppError } from "../../api/errors";
import { logsFromOtlp } from "./logs-from-otlp";
import { otlpTypes } from "./otlp-schema";
import { anyValue, attributes, idHex, nanos } from "./otlp-values";
import { decodeOtlp, otlpEncodingOf, readOtlpBody } from "./read-otlp-body";
import { describeRejections, spansFromOtlp } from "./spans-from-otlp";

const NOW = 1_800_000_000_000_000_000n;
const TRACE = "5b8efff798038103d269b633813fc60c";
const SPAN = "eee19b7ec3c1b174";
const span = (over: Record<string, unknown> = {}) => ({
  traceId: TRACE, spanId: SPAN, name: "op", kind: 2, startTimeUnixNano: String(NOW - 2000n), endTimeUnixNano: String(NOW - 1000n), ...over,
});
const request = (spans: unknown[], resource: unknown[] = []) => ({ resourceSpans: [{ resource: { attributes: resource }, scopeSpans: [{ scope: { name: "lib" }, spans }] }] });
const req = (body: BodyInit, headers: Record<string, string>) => new Request("http://x/api/otlp/v1/traces", { method: "POST", body, headers });

describe("OTLP values", () => {
  it("reads ids from bytes or hex and refuses the wrong length", () => {
    expect(idHex(Buffer.from(TRACE, "hex"), 16)).toBe(TRACE);
    expect(idHex(TRACE.toUpperCase(), 16)).toBe(TRACE);
    expect(idHex("", 16)).toBe("");
    expect(idHex(undefined, 16)).toBe("");
    expect(idHex(Buffer.alloc(15), 16)).toBeNull();
    expect(idHex("zz".repeat(16), 16)).toBeNull();
    expect(idHex(Buffer.from(TRACE, "hex").toString("base64"), 16)).toBeNull(); // OTLP/JSON ids are hex, not base64
  });

  it("reads 64-bit times from strings or numbers", () => {
    expect(nanos("1800000000000000001")).toBe(1_800_000_000_000_000_001n);
    expect(nanos(1_000)).toBe(1000n);
    expect(nanos(undefined)).toBe(0n);
    expect(nanos("-5")).toBeNull();
    expect(nanos("12abc")).toBeNull();
    expect(nanos({})).toBeNull();
  });

  it("turns AnyValues into JSON, in camelCase or snake_case", () => {
    expect(attributes([
      { key: "s", value: { stringValue: "x" } }, { key: "b", value: { boolValue: false } }, { key: "i", value: { intValue: "42" } },
      { key: "big", value: { intValue: "9007199254740993" } }, { key: "d", value: { doubleValue: 1.5 } },
      { key: "a", value: { arrayValue: { values: [{ intValue: 1 }, { stringValue: "y" }] } } },
      { key: "kv", value: { kvlist_value: { values: [{ key: "n", value: { string_value: "v" } }] } } },
      { key: "bytes", value: { bytesValue: Buffer.from("hi") } }, { key: "empty", value: {} }, { key: "", value: { stringValue: "no key" } },
    ])).toEqual({ s: "x", b: false, i: 42, big: "9007199254740993", d: 1.5, a: [1, "y"], kv: { n: "v" }, bytes: "aGk=", empty: null });
    let deep: Record<string, unknown> = { stringValue: "bottom" };
    for (let i = 0; i < 50; i++) deep = { arrayValue: { values: [deep] } };
    expect(JSON.stringify(anyValue(deep))).toContain("null"); // nesting is bounded
  });
});

describe("spansFromOtlp", () => {
  it("maps a valid span: kind, status, events, scope, service and session", () => {
    const { spans, rejected } = spansFromOtlp(request([span({
      parentSpanId: "", status: { code: 2, message: "boom" }, attributes: [{ key: "session.id", value: { stringValue: "ses_X" } }],
      events: [{ timeUnixNano: String(NOW - 1500n), name: "e", attributes: [{ key: "k", value: { intValue: 1 } }] }],
    })], [{ key: "service.name", value: { stringValue: "svc" } }]), NOW);
    expect(rejected.count).toBe(0);
    expect(spans[0]).toMatchObject({
      traceId: TRACE, spanId: SPAN, parentSpanId: null, kind: "server", statusCode: "error", statusMessage: "boom", serviceName: "svc",
      sessionRef: "ses_X", source: "otlp", startNs: NOW - 2000n, endNs: NOW - 1000n,
      attributes: { "session.id": "ses_X", "otel.scope.name": "lib" }, events: [{ timeNs: String(NOW - 1500n), name: "e", attributes: { k: 1 } }],
    });
  });

  it("takes session.id from the resource when the span has none, and enum names as well as numbers", () => {
    const { spans } = spansFromOtlp(request([span({ kind: "SPAN_KIND_CLIENT", status: { code: "STATUS_CODE_OK" } })], [{ key: "session.id", value: { stringValue: "ses_R" } }]), NOW);
    expect(spans[0]).toMatchObject({ sessionRef: "ses_R", kind: "client", statusCode: "ok" });
  });

  it("rejects each invalid span with its reason and keeps the rest", () => {
    const { spans, rejected } = spansFromOtlp(request([
      span({ spanId: "1".repeat(16) }),
      span({ traceId: "" }), span({ traceId: "0".repeat(32) }), span({ spanId: undefined }), span({ spanId: "0".repeat(16) }),
      span({ parentSpanId: "abc" }), span({ startTimeUnixNano: "0" }), span({ endTimeUnixNano: "x" }),
      span({ startTimeUnixNano: String(NOW), endTimeUnixNano: String(NOW - 1n) }),
      span({ startTimeUnixNano: String(NOW + 3601n * 1_000_000_000n), endTimeUnixNano: String(NOW + 3602n * 1_000_000_000n) }),
    ]), NOW);
    expect(spans.map((s) => s.spanId)).toEqual(["1".repeat(16)]);
    expect(rejected.count).toBe(9);
    expect(describeRejections(rejected, "span")).toBe(
      "2 spans: no valid trace_id (16 bytes, not all zero); 2 spans: no valid span_id (8 bytes, not all zero); 1 span: parent_span_id is not 8 bytes; "
      + "2 spans: missing or malformed start_time_unix_nano or end_time_unix_nano; 1 span: end_time_unix_nano is before start_time_unix_nano; "
      + "1 span: timestamps more than 1 hour in the future",
    );
  });

  it("accepts a span up to the skew allowance ahead, and an all-zero parent as a root", () => {
    const { spans } = spansFromOtlp(request([span({ parentSpanId: "0".repeat(16), startTimeUnixNano: String(NOW), endTimeUnixNano: String(NOW + 3599n * 1_000_000_000n) })]), NOW);
    expect(spans[0].parentSpanId).toBeNull();
  });
});

describe("logsFromOtlp", () => {
  const record = (over: Record<string, unknown>) => ({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ timeUnixNano: String(NOW - 1n), ...over }] }] }] });
  it("picks the stream by severity and prefixes the severity text", () => {
    const lines = (over: Record<string, unknown>) => logsFromOtlp(record(over), NOW).records[0];
    expect(lines({ severityNumber: 9, severityText: "INFO", body: { stringValue: "hi" } })).toMatchObject({ stream: "stdout", lines: ["INFO hi"] });
    expect(lines({ severityNumber: 13, body: { stringValue: "careful" } })).toMatchObject({ stream: "stderr", lines: ["careful"] });
    expect(lines({ severityText: "error", body: { stringValue: "x" } })).toMatchObject({ stream: "stderr" });
    expect(lines({ body: { kvlistValue: { values: [{ key: "a", value: { intValue: 1 } }] } } }).lines).toEqual(['{"a":1}']);
    expect(lines({ body: { stringValue: "one\ntwo\n" } }).lines).toEqual(["one", "two"]);
    expect(lines({ body: { stringValue: "x".repeat(40_000) } }).lines.map((l) => l.length)).toEqual([16384, 16384, 7232]);
  });

  it("uses the observed time when the time is missing, and rejects the far future", () => {
    const observed = logsFromOtlp(record({ timeUnixNano: undefined, observedTimeUnixNano: String(NOW - 5_000_000n) }), NOW).records[0];
    expect(observed.at.getTime()).toBe(Number((NOW - 5_000_000n) / 1_000_000n));
    const future = logsFromOtlp(record({ timeUnixNano: String(NOW + 7200n * 1_000_000_000n) }), NOW);
    expect(future.records).toEqual([]);
    expect(future.rejected.count).toBe(1);
  });
});

describe("reading a body", () => {
  it("knows protobuf and JSON and nothing else", () => {
    expect(otlpEncodingOf(req("", { "content-type": "application/x-protobuf" }))).toBe("protobuf");
    expect(otlpEncodingOf(req("", { "content-type": "application/json; charset=utf-8" }))).toBe("json");
    expect(() => otlpEncodingOf(req("", { "content-type": "text/plain" }))).toThrow(AppError);
  });

  it("decodes protobuf, skipping unknown fields, and refuses a truncated one", () => {
    const bytes = otlpTypes.traceRequest.encode(otlpTypes.traceRequest.fromObject(request([{ ...span(), traceId: Buffer.from(TRACE, "hex"), spanId: Buffer.from(SPAN, "hex") }]))).finish();
    const withUnknown = Buffer.concat([bytes, Buffer.from([0x98, 0x06, 0x01])]);
    const decoded = decodeOtlp("traces", withUnknown, "protobuf");
    expect(spansFromOtlp(decoded, NOW).spans[0]).toMatchObject({ traceId: TRACE, spanId: SPAN, kind: "server", startNs: NOW - 2000n });
    expect(() => decodeOtlp("traces", bytes.subarray(0, bytes.length - 5), "protobuf")).toThrow(/not a valid protobuf/);
    // 64-bit values arrive as Long objects: signed ints, big ints and exact nanoseconds survive.
    const odd = NOW + 1n - 3_000_000_000n;
    const attrsBytes = otlpTypes.traceRequest.encode(otlpTypes.traceRequest.fromObject(request([{
      ...span({ startTimeUnixNano: String(odd), endTimeUnixNano: String(odd) }), traceId: Buffer.from(TRACE, "hex"), spanId: Buffer.from(SPAN, "hex"),
      attributes: [{ key: "neg", value: { intValue: "-5" } }, { key: "big", value: { intValue: "9007199254740993" } }],
    }]))).finish();
    const [decodedSpan] = spansFromOtlp(decodeOtlp("traces", attrsBytes, "protobuf"), NOW).spans;
    expect(decodedSpan).toMatchObject({ startNs: odd, endNs: odd, attributes: { neg: -5, big: "9007199254740993" } });
    expect(() => decodeOtlp("traces", Buffer.from("[1]"), "json")).toThrow(/JSON object/);
  });

  it("gunzips within the limit and answers 413 past it", async () => {
    const json = JSON.stringify(request([span()]));
    const body = await readOtlpBody(req(gzipSync(json), { "content-encoding": "gzip" }));
    expect(Buffer.from(body).toString()).toBe(json);
    const bomb = gzipSync(Buffer.alloc(20 * 1024 * 1024));
    await expect(readOtlpBody(req(bomb, { "content-encoding": "gzip" }))).rejects.toMatchObject({ code: "payload_too_large" });
    await expect(readOtlpBody(req("x", { "content-encoding": "zstd" }))).rejects.toMatchObject({ code: "unsupported_media_type" });
  });
});
