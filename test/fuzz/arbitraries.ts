// fast-check arbitraries for the API fuzzer (test/fuzz-api.int.test.ts): values drawn from the
// JSON Schemas of the OpenAPI document, either valid or broken at any level (wrong types, huge
// sizes, NUL and lone surrogates, unknown fields, deep nesting, odd dates, ids and cursors).
import fc from "fast-check";

export type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  propertyNames?: JsonSchema;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
};

/** A string the serializer replaces by JSON nested this deep (JSON.stringify cannot build it). */
export const DEEP_MARKER = "\u0001deep:";
export function expandDeepMarkers(json: string): string {
  return json.replace(/"\\u0001deep:(\d+)"/g, (_, n: string) => {
    const depth = Number(n);
    return depth % 2 ? "[".repeat(depth) + "1" + "]".repeat(depth) : '{"a":'.repeat(depth) + "1" + "}".repeat(depth);
  });
}

export const ODD_DATES = [
  "0000-01-01T00:00:00Z", "0001-01-01T00:00:00Z", "1000-02-29T00:00:00Z", "1969-12-31T23:59:59Z", "1970-01-01T00:00:00Z",
  "2262-04-11T23:47:16.854775807Z", "2262-04-12T00:00:00Z", "2300-01-01T00:00:00Z", "9999-12-31T23:59:59.999Z",
  "9999-12-31T23:59:59+23:59", "0000-01-01T00:00:00-23:59", "2024-02-30T00:00:00Z", "2024-01-01T00:00:00.123456789123Z",
  "+275760-09-13T00:00:00Z", "2024-01-01", "yesterday", "1e99",
];

export const ODD_STRINGS = [
  "\u0000", "a\u0000b", "ses_\u0000", "\ud800", "x\udfffy", "\ufeff", "\u202e", "%ff", "%00", "%", "../../../etc/passwd", "/", "//",
  "' OR 1=1 --", "\\", "null", "true", "-1", "0", "1e309", "NaN", "Infinity", "99999999999999999999", "-99999999999999999999",
  "99999999999999999999.0123456789abcdef0123456789abcdef", "99999999999999999999.0123456789abcdef", "9223372036854775808.0123456789abcdef",
  "999999999999999", "ses_00000000000000000000000000", "ses_ZZZZZZZZZZZZZZZZZZZZZZZZZZ", "key_7ZZZZZZZZZZZZZZZZZZZZZZZZZ",
  "0123456789abcdef0123456789abcdef", "😀".repeat(64), "", " ", "a".repeat(70_000), "\u0000".repeat(1000), ...ODD_DATES,
];

export const oddString = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...ODD_STRINGS) },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 20 }).map((s) => `${s}\u0000${s}`) },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme", minLength: 1, maxLength: 30 }) },
);

const deep = fc.constantFrom(100, 1000, 5000, 5001, 20_000).map((n) => DEEP_MARKER + n);

/** Any broken value: a wrong type, an odd string, a huge array, deep nesting. */
export const brokenValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: oddString },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false, 0, -1, 1.5, 1e308, -1e308, 2 ** 63, Number.MAX_SAFE_INTEGER + 2) },
  { weight: 1, arbitrary: fc.constantFrom([], {}, [null], { "\u0000": 1 }, { __proto__x: 1, constructor: {} }) },
  { weight: 1, arbitrary: fc.array(fc.integer(), { minLength: 1000, maxLength: 2000 }) },
  { weight: 1, arbitrary: deep },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
);

function typeOf(schema: JsonSchema): string | undefined {
  return Array.isArray(schema.type) ? schema.type[0] : schema.type;
}

function patternString(pattern: string): fc.Arbitrary<string> {
  try {
    return fc.stringMatching(new RegExp(pattern));
  } catch {
    return fc.string();
  }
}

function validString(schema: JsonSchema): fc.Arbitrary<string> {
  if (schema.format === "date-time") {
    return fc.oneof(
      fc.date({ min: new Date("2000-01-01"), max: new Date("2100-01-01"), noInvalidDate: true }).map((d) => d.toISOString()),
      fc.constantFrom(...ODD_DATES),
    );
  }
  if (schema.format === "email") return fc.emailAddress();
  if (schema.pattern) return patternString(schema.pattern);
  const maxLength = Math.min(schema.maxLength ?? 40, 40);
  return fc.string({ minLength: Math.min(schema.minLength ?? 0, maxLength), maxLength });
}

/**
 * A value for `schema`: valid by its rules, except that each node is broken with odds
 * `breakOdds` (0: never), and objects now and then carry an unknown field.
 */
export function valueFor(schema: JsonSchema, breakOdds: number, depth = 0): fc.Arbitrary<unknown> {
  const valid = validFor(schema, breakOdds, depth);
  if (breakOdds <= 0) return valid;
  return fc.oneof({ weight: Math.round(1 / breakOdds) - 1, arbitrary: valid }, { weight: 1, arbitrary: brokenValue });
}

function validFor(schema: JsonSchema, breakOdds: number, depth: number): fc.Arbitrary<unknown> {
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) return fc.oneof(...alternatives.map((s) => valueFor(s, breakOdds, depth)));
  if ("const" in schema) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  switch (typeOf(schema)) {
    case "string": return validString(schema);
    case "integer": return fc.integer({ min: Math.max(schema.minimum ?? -1e6, -(2 ** 31)), max: Math.min(schema.maximum ?? 1e6, 2 ** 31) });
    case "number": return fc.double({ min: schema.minimum ?? -1e6, max: schema.maximum ?? 1e6, noNaN: true, noDefaultInfinity: true });
    case "boolean": return fc.boolean();
    case "null": return fc.constant(null);
    case "array": {
      const items = schema.items ? valueFor(schema.items, breakOdds, depth + 1) : fc.jsonValue({ maxDepth: 2 });
      return fc.array(items, { minLength: schema.minItems ?? 0, maxLength: Math.min(schema.maxItems ?? 5, 5) });
    }
    case "object": return objectFor(schema, breakOdds, depth);
    default: return fc.jsonValue({ maxDepth: 3 });
  }
}

function objectFor(schema: JsonSchema, breakOdds: number, depth: number): fc.Arbitrary<unknown> {
  if (depth > 4) return fc.constant({});
  const required = new Set(schema.required ?? []);
  const known = Object.fromEntries(
    Object.entries(schema.properties ?? {}).map(([k, s]) => [k, valueFor(s, breakOdds, depth + 1)]),
  );
  const props = fc.record(known, { requiredKeys: [...required].filter((k) => k in known) });
  const extraValues = typeof schema.additionalProperties === "object" ? valueFor(schema.additionalProperties, breakOdds, depth + 1) : fc.jsonValue({ maxDepth: 2 });
  const extraKeys = schema.propertyNames ? valueFor(schema.propertyNames, breakOdds, depth + 1).map(String) : fc.string({ maxLength: 10 });
  const extras = schema.additionalProperties === false && breakOdds <= 0
    ? fc.constant({})
    : fc.dictionary(extraKeys, extraValues, { maxKeys: schema.additionalProperties === false ? 1 : 4 });
  return fc.tuple(props, extras).map(([p, e]) => ({ ...e, ...p }));
}
