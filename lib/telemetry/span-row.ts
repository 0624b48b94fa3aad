// One span as stored in `spans` (platform spans and OTLP spans alike), and what makes any text
// storable: Postgres refuses NUL in text and jsonb, and jsonb refuses lone UTF-16 surrogates.
export type SpanKind = "internal" | "server" | "client" | "producer" | "consumer";
export type SpanStatus = "unset" | "ok" | "error";
export type SpanSource = "platform" | "otlp";

export type SpanEvent = { timeNs: string; name: string; attributes: Record<string, unknown> };

export type SpanRow = {
  tenantId: string;
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  sessionId: string | null;
  name: string;
  kind: SpanKind;
  source: SpanSource;
  serviceName: string | null;
  /** Unix nanoseconds. */
  startNs: bigint;
  endNs: bigint;
  statusCode: SpanStatus;
  statusMessage: string | null;
  attributes: Record<string, unknown>;
  events: SpanEvent[];
  resource: Record<string, unknown>;
};

const NUL = /\u0000/g;

export function storableText(value: string): string {
  return value.toWellFormed().replace(NUL, "\uFFFD");
}

/** JSON text Postgres accepts as jsonb (strings and keys made storable). */
export function storableJson(value: unknown): string {
  return JSON.stringify(value, function (this: unknown, _key, v: unknown) {
    if (typeof v === "string") return storableText(v);
    if (typeof v === "bigint") return v.toString();
    if (v && typeof v === "object" && !Array.isArray(v)) {
      let clean = true;
      for (const k of Object.keys(v)) if (storableText(k) !== k) clean = false;
      if (!clean) return Object.fromEntries(Object.entries(v).map(([k, x]) => [storableText(k), x]));
    }
    return v;
  });
}

export function nowNs(): bigint {
  // performance.timeOrigin + now() keeps sub-millisecond precision and is monotonic within a process.
  return BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6));
}
