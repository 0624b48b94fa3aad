// Limits every API input is held to before any handler runs, so malformed input is a 400 and never
// reaches Postgres or the stack: no NUL or lone UTF-16 surrogate in a path parameter, query value
// or JSON string (Postgres text and jsonb cannot hold NUL; a lone surrogate has no UTF-8 form), and
// JSON nested at most MAX_JSON_DEPTH deep (deeper would overflow the recursive code after the parse).
import { z } from "zod";
import { AppError } from "./errors";

export const MAX_JSON_DEPTH = 32;

// A NUL, a high surrogate not followed by a low one, or a low one not preceded by a high one.
const UNSAFE_TEXT = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** True when `s` can be stored as Postgres text (UTF-8 without NUL). */
export function isSafeText(s: string): boolean {
  return !UNSAFE_TEXT.test(s);
}

function unsafeText(path: string): AppError {
  const message = "must not contain NUL characters or unpaired UTF-16 surrogates";
  return new AppError("invalid_request", `Invalid ${path}: ${message}`, { details: { fields: [{ path, message }] } });
}

/** 400 when a path parameter or query value holds text Postgres cannot store. */
export function assertSafeStrings(values: Record<string, string>, where: "params" | "query") {
  for (const [key, value] of Object.entries(values)) {
    if (!isSafeText(key) || !isSafeText(value)) throw unsafeText(`${where}.${isSafeText(key) ? key : "?"}`);
  }
}

/** 400 when any string or key in a parsed JSON value holds text Postgres cannot store. */
export function assertSafeJson(value: unknown, where: string) {
  // Iterative, so it holds at any depth (the depth itself is checked on the raw text).
  const stack: { value: unknown; path: string }[] = [{ value, path: where }];
  while (stack.length) {
    const item = stack.pop()!;
    if (typeof item.value === "string") {
      if (!isSafeText(item.value)) throw unsafeText(item.path);
    } else if (Array.isArray(item.value)) {
      item.value.forEach((v, i) => stack.push({ value: v, path: `${item.path}.${i}` }));
    } else if (item.value && typeof item.value === "object") {
      for (const [k, v] of Object.entries(item.value)) {
        if (!isSafeText(k)) throw unsafeText(`${item.path}.?`);
        stack.push({ value: v, path: `${item.path}.${k}` });
      }
    }
  }
}

/**
 * 400 when the JSON text nests objects and arrays deeper than `maxDepth`, checked on the raw text
 * before JSON.parse so that no recursive step (parse, zod, JSON.stringify, Prisma) sees it.
 */
export function assertJsonDepth(raw: string, maxDepth = MAX_JSON_DEPTH) {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (++depth > maxDepth) {
        throw new AppError("invalid_request", `The request body nests objects and arrays more than ${maxDepth} deep`, {
          details: { maxDepth },
        });
      }
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) depth--;
  }
}

/** Instants the API accepts: what JavaScript, Postgres and int8 nanoseconds (until 2262) all hold. */
export const EARLIEST_INSTANT = "1970-01-01T00:00:00Z";
export const LATEST_INSTANT = "2199-12-31T23:59:59.999Z";
const earliestMs = Date.parse(EARLIEST_INSTANT);
const latestMs = Date.parse(LATEST_INSTANT);

/** An ISO 8601 instant with an offset, from 1970 through 2199 (400 otherwise). */
export function isoInstantSchema() {
  return z.iso.datetime({ offset: true, abort: true }).refine((s) => {
    const ms = Date.parse(s);
    return ms >= earliestMs && ms <= latestMs;
  }, "must be between 1970-01-01 and 2199-12-31 (UTC)");
}

const INT8_MAX = 2n ** 63n - 1n;

/**
 * A keyset cursor `<start ns>.<hex id>` as the trace API hands it out: the number fits Postgres's
 * int8 (bigint), so a made-up 20-digit one is a 400 rather than an overflow in SQL.
 */
export function nanosCursorSchema(hexLength: number) {
  const message = "not a cursor from this API";
  return z.string()
    .regex(new RegExp(`^\\d{1,19}\\.[0-9a-f]{${hexLength}}$`), { message, abort: true })
    .refine((s) => BigInt(s.split(".")[0]) <= INT8_MAX, message);
}
