// OTLP values in either encoding, made plain: protobuf-decoded messages (ids as bytes, 64-bit
// numbers as Long objects, unset fields as prototype defaults) and OTLP/JSON (ids as hex, 64-bit
// numbers as strings or numbers, enums as numbers or names) give the same result. OTLP/JSON field names are lowerCamelCase; the
// proto field names (snake_case) are accepted too, as the protobuf JSON mapping asks of parsers.
type Obj = Record<string, unknown>;

/** A field by its lowerCamelCase name, or by its proto (snake_case) name. */
export function field(obj: unknown, camel: string): unknown {
  if (!obj || typeof obj !== "object") return undefined;
  const o = obj as Obj;
  if (camel in o) return o[camel];
  const snake = camel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  return o[snake];
}

export function list(obj: unknown, camel: string): unknown[] {
  const v = field(obj, camel);
  return Array.isArray(v) ? v : [];
}

export function text(obj: unknown, camel: string): string {
  const v = field(obj, camel);
  return typeof v === "string" ? v : "";
}

/**
 * An id as lowercase hex of exactly `bytes` bytes, "" when absent, or null when present but
 * malformed (wrong length, not hex). All-zero ids are returned as they are; callers reject them.
 */
export function idHex(value: unknown, bytes: number): string | null {
  if (value === undefined || value === null || value === "") return "";
  // An unset bytes field of a decoded message reads as its default, which may be a plain array.
  if (Array.isArray(value)) value = Uint8Array.from(value as number[]);
  if (value instanceof Uint8Array) {
    if (value.length === 0) return "";
    return value.length === bytes ? Buffer.from(value).toString("hex") : null;
  }
  if (typeof value === "string") return new RegExp(`^[0-9a-fA-F]{${bytes * 2}}$`).test(value) ? value.toLowerCase() : null;
  return null;
}

type LongLike = { low: number; high: number; unsigned?: boolean };
const isLong = (v: unknown): v is LongLike => !!v && typeof v === "object" && typeof (v as LongLike).low === "number" && typeof (v as LongLike).high === "number";

/** A protobuf 64-bit value (protobufjs's Long, or its plain {low, high}) as a BigInt. */
function longToBigInt(v: LongLike, signed: boolean): bigint {
  const unsigned = (BigInt(v.high >>> 0) << 32n) | BigInt(v.low >>> 0);
  return signed && !v.unsigned ? BigInt.asIntN(64, unsigned) : unsigned;
}

/** Unix nanoseconds from a decimal string, a number or a Long; null when malformed, 0n when absent. */
export function nanos(value: unknown): bigint | null {
  if (value === undefined || value === null || value === "") return 0n;
  if (typeof value === "string") return /^\d{1,20}$/.test(value) ? BigInt(value) : null;
  if (typeof value === "number") return Number.isFinite(value) && value >= 0 ? BigInt(Math.trunc(value)) : null;
  if (isLong(value)) return longToBigInt(value, false);
  return null;
}

/** An enum given as a number or as its name (e.g. "SPAN_KIND_SERVER"), from the names in order. */
export function enumValue(value: unknown, names: readonly string[]): number {
  if (typeof value === "number" && Number.isInteger(value)) return value;
  if (typeof value === "string") {
    const i = names.indexOf(value);
    if (i >= 0) return i;
    if (/^\d+$/.test(value)) return Number(value);
  }
  return 0;
}

const MAX_DEPTH = 8;

/** A field present in the message itself (a decoded message keeps unset fields' defaults on its prototype). */
function own(obj: Obj, camel: string): unknown {
  if (Object.hasOwn(obj, camel)) return obj[camel];
  const snake = camel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  return Object.hasOwn(obj, snake) ? obj[snake] : undefined;
}

/** An AnyValue as a JSON-friendly value (ints beyond 2^53 stay decimal strings, bytes become base64). */
export function anyValue(value: unknown, depth = 0): unknown {
  if (!value || typeof value !== "object" || depth > MAX_DEPTH) return null;
  const v = value as Obj;
  const has = (k: string) => own(v, k) !== undefined && own(v, k) !== null;
  if (has("stringValue")) return String(own(v, "stringValue"));
  if (has("boolValue")) return Boolean(own(v, "boolValue"));
  if (has("intValue")) {
    const raw = own(v, "intValue");
    const big = isLong(raw) ? longToBigInt(raw, true) : null;
    const n = big !== null ? Number(big) : typeof raw === "number" ? raw : Number(raw);
    return Number.isSafeInteger(n) ? n : String(big ?? raw);
  }
  if (has("doubleValue")) {
    const raw = own(v, "doubleValue");
    const n = typeof raw === "number" ? raw : Number(raw);
    return Number.isFinite(n) ? n : String(raw); // NaN and ±Infinity have no JSON number
  }
  if (has("arrayValue")) return list(own(v, "arrayValue"), "values").map((x) => anyValue(x, depth + 1));
  if (has("kvlistValue")) return attributes(list(own(v, "kvlistValue"), "values"), depth + 1);
  if (has("bytesValue")) {
    const raw = own(v, "bytesValue");
    return raw instanceof Uint8Array ? Buffer.from(raw).toString("base64") : String(raw);
  }
  return null;
}

export function attributes(keyValues: unknown[], depth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kv of keyValues) {
    const key = text(kv, "key");
    if (key) out[key] = anyValue(field(kv, "value"), depth);
  }
  return out;
}
