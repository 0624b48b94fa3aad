// OTLP batches for the benchmark, fast enough not to be the bottleneck: one realistic
// ExportTraceServiceRequest is encoded once with random placeholder ids, the byte offsets of every
// placeholder are found, and each batch is a copy with fresh random ids written at those offsets
// (parent links follow, since a parent id is the same placeholder). The same spans as rows feed the
// raw-pg baseline.
import { randomBytes, randomFillSync } from "node:crypto";
import { otlpTypes } from "../../lib/telemetry/otlp/otlp-schema";

export type BatchShape = { spans: number; spansPerTrace: number };

type Placeholder = { bytes: Buffer; offsets: number[] };
export type SpanBatchFactory = {
  /** A fresh protobuf body (new trace and span ids) and the trace ids in it. */
  next(): { body: Buffer; traceIds: string[] };
  /** The same spans as rows for the baseline's INSERT (fresh ids too). */
  rows(tenantId: string): unknown[][];
  bytesPerBatch: number;
};

const attr = (key: string, value: Record<string, unknown>) => ({ key, value });

export function spanBatchFactory(shape: BatchShape, sessionId: string | null): SpanBatchFactory {
  const traces = Math.ceil(shape.spans / shape.spansPerTrace);
  const now = BigInt(Date.now()) * 1_000_000n;
  const traceIds = Array.from({ length: traces }, () => randomBytes(16));
  const spanIds = Array.from({ length: shape.spans }, () => randomBytes(8));
  const spans = spanIds.map((spanId, i) => {
    const t = Math.floor(i / shape.spansPerTrace);
    const root = i % shape.spansPerTrace === 0;
    const start = now - 5_000_000_000n + BigInt(i) * 100_000n;
    return {
      traceId: traceIds[t], spanId, parentSpanId: root ? undefined : spanIds[t * shape.spansPerTrace],
      name: root ? "agent.turn" : `tool.call_${i % 7}`, kind: root ? 2 : 1,
      startTimeUnixNano: start.toString(), endTimeUnixNano: (start + 2_500_000n).toString(),
      attributes: [
        attr("tool.name", { stringValue: `tool_${i % 7}` }), attr("llm.tokens", { intValue: 100 + (i % 900) }),
        attr("http.status_code", { intValue: 200 }), attr("cache.hit", { boolValue: i % 3 === 0 }),
      ],
      status: { code: i % 50 === 0 ? 2 : 0 },
    };
  });
  const resource = { attributes: [attr("service.name", { stringValue: "bench-agent" }), ...(sessionId ? [attr("session.id", { stringValue: sessionId })] : [])] };
  const message = otlpTypes.traceRequest.fromObject({ resourceSpans: [{ resource, scopeSpans: [{ scope: { name: "bench" }, spans }] }] });
  const template = Buffer.from(otlpTypes.traceRequest.encode(message).finish());

  const find = (bytes: Buffer): Placeholder => {
    const offsets: number[] = [];
    for (let at = template.indexOf(bytes); at >= 0; at = template.indexOf(bytes, at + 1)) offsets.push(at);
    return { bytes, offsets };
  };
  const tracePlaces = traceIds.map(find);
  const spanPlaces = spanIds.map(find);
  if (tracePlaces.some((p) => p.offsets.length !== Math.min(shape.spansPerTrace, shape.spans)) || spanPlaces.some((p) => p.offsets.length < 1)) {
    throw new Error("placeholder ids not found where expected in the encoded batch");
  }

  return {
    bytesPerBatch: template.length,
    next() {
      const body = Buffer.from(template);
      const ids: string[] = [];
      for (const place of [...tracePlaces, ...spanPlaces]) {
        const fresh = randomFillSync(Buffer.alloc(place.bytes.length));
        fresh[0] |= 1; // never all zero
        for (const at of place.offsets) fresh.copy(body, at);
        if (place.bytes.length === 16) ids.push(fresh.toString("hex"));
      }
      return { body, traceIds: ids };
    },
    rows(tenantId) {
      const freshTraces = traceIds.map(() => randomBytes(16).toString("hex"));
      const freshSpans = spanIds.map(() => randomBytes(8).toString("hex"));
      return spans.map((s, i) => {
        const t = Math.floor(i / shape.spansPerTrace);
        return [
          tenantId, freshTraces[t], freshSpans[i], s.parentSpanId ? freshSpans[t * shape.spansPerTrace] : null, sessionId, s.name,
          s.kind === 2 ? "server" : "internal", "otlp", "bench-agent", s.startTimeUnixNano, s.endTimeUnixNano, s.status.code === 2 ? "error" : "unset", null,
          JSON.stringify({ "tool.name": `tool_${i % 7}`, "llm.tokens": 100 + (i % 900), "http.status_code": 200, "cache.hit": i % 3 === 0, "otel.scope.name": "bench" }),
          "[]", JSON.stringify({ "service.name": "bench-agent", ...(sessionId ? { "session.id": sessionId } : {}) }),
        ];
      });
    },
  };
}
