// OTLP/HTTP ingestion end to end: real OpenTelemetry SDK exporters (protobuf and JSON, configured
// the way sessions are, through OTEL_EXPORTER_OTLP_*) post to the real route handlers behind a
// real HTTP server, and the spans come back from the trace API joined to their session. Then the
// bad input: wrong content type, truncated protobuf, unknown fields, oversized and zip-bomb
// bodies, spans without ids or from the future (partial success), and nothing else stored.
import { gzipSync } from "node:zlib";
import { context, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { SeverityNumber } from "@opentelemetry/api-logs";
import { OTLPLogExporter } from "@opentelemetry/exporter-logs-otlp-proto";
import { OTLPTraceExporter as OTLPHttpJsonTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { LoggerProvider, SimpleLogRecordProcessor } from "@opentelemetry/sdk-logs";
import { BasicTracerProvider, BatchSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as otlpLogsRoute from "@/app/api/otlp/v1/logs/route";
import * as otlpTracesRoute from "@/app/api/otlp/v1/traces/route";
import * as sessionSpansRoute from "@/app/api/v1/sessions/[id]/spans/route";
import * as traceRoute from "@/app/api/v1/traces/[traceId]/route";
import * as tracesRoute from "@/app/api/v1/traces/route";
import { db } from "@/lib/db/client";
import { otlpTypes } from "@/lib/telemetry/otlp/otlp-schema";
import { call, createKey, createTestTenant, type TestTenant } from "./helpers";
import { startRouteServer, type RouteServer } from "./route-server";
import { sessionRowIn } from "./session-rows";

let server: RouteServer;
let tenant: TestTenant;
let sessionId: string;

beforeAll(async () => {
  server = await startRouteServer({ "/api/otlp/v1/traces": otlpTracesRoute.POST, "/api/otlp/v1/logs": otlpLogsRoute.POST });
  const row = await sessionRowIn("running");
  tenant = row.tenant;
  sessionId = row.id;
});
afterAll(() => server.close());

const hex = (n: number, bytes: number) => n.toString(16).padStart(bytes * 2, "0");
const nowNs = () => BigInt(Date.now()) * 1_000_000n;
const getTrace = (traceId: string, key = tenant.key) => call(traceRoute.GET, { path: `/api/v1/traces/${traceId}`, key, params: { traceId } });
const spanCount = (tenantId: string) => db().span.count({ where: { tenantId, source: "otlp" } });

type JsonSpan = Record<string, unknown>;
function jsonSpan(over: JsonSpan = {}): JsonSpan {
  const start = nowNs() - 5_000_000n;
  return {
    traceId: hex(Math.floor(Math.random() * 2 ** 40) + 1, 16), spanId: hex(Math.floor(Math.random() * 2 ** 40) + 1, 8), name: "op", kind: 1,
    startTimeUnixNano: String(start), endTimeUnixNano: String(start + 2_000_000n), ...over,
  };
}
const jsonRequest = (spans: JsonSpan[], resource: Record<string, string> = { "service.name": "raw" }) => ({
  resourceSpans: [{
    resource: { attributes: Object.entries(resource).map(([key, v]) => ({ key, value: { stringValue: v } })) },
    scopeSpans: [{ scope: { name: "raw-test" }, spans }],
  }],
});

async function post(path: string, body: BodyInit, headers: Record<string, string>, key = tenant.key) {
  return fetch(`${server.url}${path}`, { method: "POST", body, headers: { authorization: `Bearer ${key}`, ...headers } });
}
const postJson = (value: unknown, key?: string) => post("/api/otlp/v1/traces", JSON.stringify(value), { "content-type": "application/json" }, key);
function protoRequest(value: unknown): Uint8Array {
  return otlpTypes.traceRequest.encode(otlpTypes.traceRequest.fromObject(value as Record<string, unknown>)).finish();
}
const protoSpan = (over: JsonSpan = {}) => {
  const s = jsonSpan(over);
  return { ...s, traceId: Buffer.from(s.traceId as string, "hex"), spanId: Buffer.from(s.spanId as string, "hex") };
};

describe("a real OpenTelemetry SDK exporter", () => {
  it("protobuf: spans appear in the trace API, nested and joined to their session", async () => {
    const exporter = new OTLPTraceExporter({ url: `${server.url}/api/otlp/v1/traces`, headers: { Authorization: `Bearer ${tenant.key}` } });
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ "service.name": "test-agent", "session.id": sessionId }),
      spanProcessors: [new BatchSpanProcessor(exporter)],
    });
    const tracer = provider.getTracer("burrow-test");
    const root = tracer.startSpan("agent.turn", { attributes: { "turn.number": 3 } });
    const child = tracer.startSpan("tool.call", { attributes: { "tool.name": "search", ratio: 0.5, ok: true, tags: ["a", "b"] } }, trace.setSpan(context.active(), root));
    child.addEvent("retry", { attempt: 2 });
    child.setStatus({ code: SpanStatusCode.ERROR, message: "tool failed" });
    child.end();
    root.end();
    await provider.forceFlush();
    await provider.shutdown();

    const traceId = root.spanContext().traceId;
    const res = await getTrace(traceId);
    expect(res.status).toBe(200);
    expect(res.headers.get("traceparent")).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    const spans = res.body.spans as Array<Record<string, any>>;
    expect(spans.map((s) => s.name).sort()).toEqual(["agent.turn", "tool.call"]);
    const r = spans.find((s) => s.name === "agent.turn")!;
    const c = spans.find((s) => s.name === "tool.call")!;
    expect(r).toMatchObject({ traceId, spanId: root.spanContext().spanId, parentSpanId: null, sessionId, source: "otlp", serviceName: "test-agent", kind: "internal" });
    expect(c).toMatchObject({ parentSpanId: r.spanId, sessionId, status: { code: "error", message: "tool failed" } });
    expect(c.attributes).toMatchObject({ "tool.name": "search", ratio: 0.5, ok: true, tags: ["a", "b"], "otel.scope.name": "burrow-test" });
    expect(c.events).toEqual([expect.objectContaining({ name: "retry", attributes: { attempt: 2 } })]);
    expect(r.resource).toMatchObject({ "service.name": "test-agent", "session.id": sessionId });
    expect(Number(BigInt(r.endNs) - BigInt(r.startNs))).toBeGreaterThanOrEqual(0);

    const list = await call(tracesRoute.GET, { path: `/api/v1/traces?sessionId=${sessionId}&limit=100`, key: tenant.key });
    expect(list.status).toBe(200);
    expect(list.body.data).toContainEqual(expect.objectContaining({ traceId, rootName: "agent.turn", spanCount: 2, hasError: true, sessionId, serviceName: "test-agent" }));
    const timeline = await call(sessionSpansRoute.GET, { path: `/api/v1/sessions/${sessionId}/spans`, key: tenant.key, params: { id: sessionId } });
    expect(timeline.body.data.map((s: { traceId: string }) => s.traceId)).toContain(traceId);
  });

  it("JSON: configured only through OTEL_EXPORTER_OTLP_ENDPOINT and OTEL_EXPORTER_OTLP_HEADERS, as sessions are", async () => {
    const saved = { endpoint: process.env.OTEL_EXPORTER_OTLP_ENDPOINT, headers: process.env.OTEL_EXPORTER_OTLP_HEADERS };
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = `${server.url}/api/otlp`;
    process.env.OTEL_EXPORTER_OTLP_HEADERS = `Authorization=Bearer ${tenant.key}`;
    let exporter: OTLPHttpJsonTraceExporter;
    try {
      exporter = new OTLPHttpJsonTraceExporter();
    } finally {
      process.env.OTEL_EXPORTER_OTLP_ENDPOINT = saved.endpoint;
      process.env.OTEL_EXPORTER_OTLP_HEADERS = saved.headers;
      if (saved.endpoint === undefined) delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
      if (saved.headers === undefined) delete process.env.OTEL_EXPORTER_OTLP_HEADERS;
    }
    const provider = new BasicTracerProvider({ resource: resourceFromAttributes({ "service.name": "json-agent" }), spanProcessors: [new BatchSpanProcessor(exporter)] });
    const span = provider.getTracer("json").startSpan("json.span", { kind: SpanKind.SERVER, attributes: { "session.id": sessionId, big: 2 ** 40 } });
    span.end();
    await provider.forceFlush();
    await provider.shutdown();
    const res = await getTrace(span.spanContext().traceId);
    expect(res.status).toBe(200);
    expect(res.body.spans[0]).toMatchObject({ name: "json.span", kind: "server", sessionId, serviceName: "json-agent", attributes: { big: 2 ** 40 } });
  });

  it("logs: records with session.id become lines of that session's log, stream by severity", async () => {
    const exporter = new OTLPLogExporter({ url: `${server.url}/api/otlp/v1/logs`, headers: { Authorization: `Bearer ${tenant.key}` } });
    const provider = new LoggerProvider({ resource: resourceFromAttributes({ "session.id": sessionId }), processors: [new SimpleLogRecordProcessor({ exporter })] });
    const logger = provider.getLogger("agent");
    logger.emit({ body: "thinking about it", severityNumber: SeverityNumber.INFO, severityText: "INFO" });
    logger.emit({ body: "tool failed\nsecond line", severityNumber: SeverityNumber.ERROR, severityText: "ERROR" });
    logger.emit({ body: { structured: true }, severityNumber: SeverityNumber.DEBUG });
    await provider.forceFlush();
    await provider.shutdown();
    // The simple processor exports each record on its own, so requests may arrive in any order;
    // the lines of one record stay together and in order.
    const rows = (await db().sessionLogLine.findMany({ where: { sessionId, source: "otlp" }, orderBy: { seq: "asc" } })).map((r) => [r.stream, r.line]);
    expect([...rows].sort()).toEqual([
      ["stderr", "ERROR tool failed"],
      ["stderr", "second line"],
      ["stdout", "INFO thinking about it"],
      ["stdout", '{"structured":true}'],
    ]);
    const first = rows.findIndex((r) => r[1] === "ERROR tool failed");
    expect(rows[first + 1][1]).toBe("second line");
  });
});

describe("partial success", () => {
  it("rejects spans without ids or from the future one by one, stores the rest, answers in the request's encoding", async () => {
    const t = await createTestTenant();
    const good = protoSpan({ name: "kept" });
    const body = protoRequest({
      resourceSpans: [{ scopeSpans: [{ spans: [
        good,
        protoSpan({ traceId: Buffer.alloc(0) }),
        protoSpan({ spanId: Buffer.alloc(8) }),
        protoSpan({ startTimeUnixNano: String(nowNs() + 7200n * 1_000_000_000n), endTimeUnixNano: String(nowNs() + 7201n * 1_000_000_000n) }),
        protoSpan({ startTimeUnixNano: String(nowNs()), endTimeUnixNano: String(nowNs() - 1_000_000_000n) }),
      ] }] }],
    });
    const res = await post("/api/otlp/v1/traces", Buffer.from(body), { "content-type": "application/x-protobuf" }, t.key);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/x-protobuf");
    const answer = otlpTypes.traceResponse.toObject(otlpTypes.traceResponse.decode(new Uint8Array(await res.arrayBuffer())), { longs: Number }) as any;
    expect(answer.partialSuccess.rejectedSpans).toBe(4);
    expect(answer.partialSuccess.errorMessage).toMatch(/trace_id.*span_id.*future.*before/s);
    expect((await db().span.findMany({ where: { tenantId: t.id, source: "otlp" } })).map((s) => s.name)).toEqual(["kept"]);
  });

  it("JSON: an all-invalid request stores nothing; a full success has no partial_success; a re-sent span is stored once", async () => {
    const t = await createTestTenant();
    const bad = await postJson(jsonRequest([jsonSpan({ traceId: "" }), jsonSpan({ spanId: "zz" })]), t.key);
    expect(bad.status).toBe(200);
    expect(await bad.json()).toEqual({ partialSuccess: { rejectedSpans: 2, errorMessage: expect.stringContaining("span_id") } });
    expect(await spanCount(t.id)).toBe(0);
    const span = jsonSpan();
    for (let i = 0; i < 2; i++) {
      const ok = await postJson(jsonRequest([span]), t.key);
      expect(await ok.json()).toEqual({});
    }
    expect(await spanCount(t.id)).toBe(1);
  });

  it("logs without a session of this tenant are rejected", async () => {
    const other = await sessionRowIn("running");
    const record = (session?: string) => ({
      timeUnixNano: String(nowNs()), body: { stringValue: "hello" },
      attributes: session ? [{ key: "session.id", value: { stringValue: session } }] : [],
    });
    const res = await post("/api/otlp/v1/logs", JSON.stringify({
      resourceLogs: [{ scopeLogs: [{ logRecords: [record(sessionId), record(), record(other.id), record("ses_NOPE")] }] }],
    }), { "content-type": "application/json" });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ partialSuccess: { rejectedLogRecords: 3, errorMessage: "3 log records: no session.id attribute naming a session of this tenant" } });
    expect(await db().sessionLogLine.count({ where: { sessionId: other.id } })).toBe(0);
  });

  it("a session.id of another tenant does not join: the span is stored without a session", async () => {
    const other = await sessionRowIn("running");
    const span = jsonSpan({ attributes: [{ key: "session.id", value: { stringValue: other.id } }] });
    await postJson(jsonRequest([span]));
    const res = await getTrace(span.traceId as string);
    expect(res.body.spans[0]).toMatchObject({ sessionId: null, attributes: { "session.id": other.id } });
    const theirs = await call(sessionSpansRoute.GET, { path: `/api/v1/sessions/${other.id}/spans`, key: other.tenant.key, params: { id: other.id } });
    expect(theirs.body.data.filter((s: { source: string }) => s.source === "otlp")).toEqual([]);
  });
});

describe("bad input", () => {
  it("415 for another content type, 400 for a truncated protobuf or broken JSON; nothing stored", async () => {
    const t = await createTestTenant();
    const wrongType = await post("/api/otlp/v1/traces", JSON.stringify(jsonRequest([jsonSpan()])), { "content-type": "text/plain" }, t.key);
    expect(wrongType.status).toBe(415);
    expect(await wrongType.json()).toMatchObject({ code: 3, error: { code: "unsupported_media_type" } });
    const full = protoRequest({ resourceSpans: [{ scopeSpans: [{ spans: [protoSpan(), protoSpan()] }] }] });
    const truncated = await post("/api/otlp/v1/traces", Buffer.from(full.subarray(0, full.length - 7)), { "content-type": "application/x-protobuf" }, t.key);
    expect(truncated.status).toBe(400);
    expect(truncated.headers.get("content-type")).toBe("application/x-protobuf");
    const status = otlpTypes.rpcStatus.decode(new Uint8Array(await truncated.arrayBuffer())) as unknown as { code: number; message: string };
    expect(status.code).toBe(3);
    expect(status.message).toMatch(/not a valid protobuf/);
    const brokenJson = await post("/api/otlp/v1/traces", "{\"resourceSpans\": [", { "content-type": "application/json" }, t.key);
    expect(brokenJson.status).toBe(400);
    const notGzip = await post("/api/otlp/v1/traces", "plain", { "content-type": "application/json", "content-encoding": "gzip" }, t.key);
    expect(notGzip.status).toBe(400);
    expect(await spanCount(t.id)).toBe(0);
  });

  it("accepts unknown fields in protobuf and JSON, and gzip", async () => {
    const t = await createTestTenant();
    const span = protoSpan({ name: "with-unknown" });
    // Field 99 (varint 1) at the top level and inside the request: a later protocol version's data.
    const body = Buffer.concat([protoRequest({ resourceSpans: [{ scopeSpans: [{ spans: [span] }] }] }), Buffer.from([0x98, 0x06, 0x01])]);
    const res = await post("/api/otlp/v1/traces", Buffer.from(body), { "content-type": "application/x-protobuf" }, t.key);
    expect(res.status).toBe(200);
    const json = jsonRequest([jsonSpan({ name: "json-unknown", futureField: { x: 1 } })]);
    (json as any).somethingNew = [1, 2];
    const gz = await post("/api/otlp/v1/traces", gzipSync(JSON.stringify(json)), { "content-type": "application/json", "content-encoding": "gzip" }, t.key);
    expect(gz.status).toBe(200);
    expect(await gz.json()).toEqual({});
    // Only what the exporters sent: the tenant's own request spans (source platform) land in the background.
    expect((await db().span.findMany({ where: { tenantId: t.id, source: "otlp" }, orderBy: { name: "asc" } })).map((s) => s.name)).toEqual(["json-unknown", "with-unknown"]);
  });

  it("413 for a 10 MB body and for a zip bomb, nothing stored", async () => {
    const t = await createTestTenant();
    const big = JSON.stringify({ resourceSpans: [], padding: "x".repeat(10 * 1024 * 1024) });
    const tooBig = await post("/api/otlp/v1/traces", big, { "content-type": "application/json" }, t.key);
    expect(tooBig.status).toBe(413);
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x20)); // 64 MiB of spaces in ~64 KiB
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const bombed = await post("/api/otlp/v1/traces", bomb, { "content-type": "application/json", "content-encoding": "gzip" }, t.key);
    expect(bombed.status).toBe(413);
    expect(await bombed.json()).toMatchObject({ error: { code: "payload_too_large" } });
    expect(await spanCount(t.id)).toBe(0);
  });

  it("401 without a valid key, 403 without telemetry:write; 415 for an unknown Content-Encoding", async () => {
    const body = JSON.stringify(jsonRequest([jsonSpan()]));
    const none = await fetch(`${server.url}/api/otlp/v1/traces`, { method: "POST", body, headers: { "content-type": "application/json" } });
    expect(none.status).toBe(401);
    expect((await postJson(jsonRequest([jsonSpan()]), "bur_" + "x".repeat(43))).status).toBe(401);
    const readOnly = await createKey(tenant.id, ["sessions:read"]);
    const forbidden = await postJson(jsonRequest([jsonSpan()]), readOnly.secret);
    expect(forbidden.status).toBe(403);
    expect(await forbidden.json()).toMatchObject({ code: 7, error: { code: "forbidden" } });
    const br = await post("/api/otlp/v1/traces", body, { "content-type": "application/json", "content-encoding": "br" });
    expect(br.status).toBe(415);
  });
});

describe("trace API", () => {
  it("400 for bad queries and ids, 401, 403 without sessions:read, 404 for another tenant's trace", async () => {
    const span = jsonSpan();
    await postJson(jsonRequest([span]));
    expect((await call(tracesRoute.GET, { path: "/api/v1/traces?limit=0", key: tenant.key })).status).toBe(400);
    expect((await call(tracesRoute.GET, { path: "/api/v1/traces?cursor=nope", key: tenant.key })).status).toBe(400);
    expect((await call(tracesRoute.GET, { path: "/api/v1/traces?from=yesterday", key: tenant.key })).status).toBe(400);
    expect((await getTrace("xyz")).status).toBe(400);
    expect((await call(tracesRoute.GET, { path: "/api/v1/traces" })).status).toBe(401);
    const writeOnly = await createKey(tenant.id, ["telemetry:write"]);
    expect((await call(tracesRoute.GET, { path: "/api/v1/traces", key: writeOnly.secret })).status).toBe(403);
    expect((await getTrace(span.traceId as string, writeOnly.secret)).status).toBe(403);
    const b = await createTestTenant();
    const theirs = await getTrace(span.traceId as string, b.key);
    expect(theirs.status).toBe(404);
    const listed = await call(tracesRoute.GET, { path: "/api/v1/traces?limit=100", key: b.key });
    expect(JSON.stringify(listed.body)).not.toContain(span.traceId);
    expect((await getTrace(hex(12345, 16))).status).toBe(404);
  });

  it("pages traces newest first with a cursor, within a time range", async () => {
    const t = await createTestTenant();
    const base = nowNs() - 60_000_000_000n;
    const ids = [1, 2, 3].map((i) => hex(0xabc000 + i, 16));
    const spans = ids.map((traceId, i) => jsonSpan({ traceId, startTimeUnixNano: String(base + BigInt(i) * 1_000_000_000n), endTimeUnixNano: String(base + BigInt(i) * 1_000_000_000n + 1000n) }));
    await postJson(jsonRequest(spans), t.key);
    // includeReads=false: the tenant's own request spans (this test's GETs, the export's POST) are
    // written in the background and would otherwise join the list at any moment.
    const first = await call(tracesRoute.GET, { path: "/api/v1/traces?limit=2&includeReads=false", key: t.key });
    expect(first.body.data.map((x: { traceId: string }) => x.traceId)).toEqual([ids[2], ids[1]]);
    const second = await call(tracesRoute.GET, { path: `/api/v1/traces?limit=2&includeReads=false&cursor=${first.body.nextCursor}`, key: t.key });
    expect(second.body).toMatchObject({ data: [{ traceId: ids[0] }], nextCursor: null });
    const from = new Date(Number((base + 1_500_000_000n) / 1_000_000n)).toISOString();
    const ranged = await call(tracesRoute.GET, { path: `/api/v1/traces?includeReads=false&from=${from}`, key: t.key });
    expect(ranged.body.data.map((x: { traceId: string }) => x.traceId)).toEqual([ids[2]]);
  });
});
