// Outside production every JSON answer is checked against its endpoint's response schema, as the
// client will see it (after JSON.stringify: dates are strings, undefined fields are gone). A field
// the schema does not name counts as a mismatch too: zod would silently strip it, and the OpenAPI
// document (and every client generated from it) would never learn of it.
import type { z } from "zod";

/** Why `value` does not match `schema`, or null when it does. */
export function responseMismatch(schema: z.ZodType, value: unknown): string | null {
  const wire: unknown = value === undefined ? undefined : JSON.parse(JSON.stringify(value));
  const parsed = schema.safeParse(wire);
  if (!parsed.success) {
    return parsed.error.issues.slice(0, 5).map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
  }
  const extra = undeclaredFields(wire, parsed.data);
  return extra.length ? `fields not in the schema: ${extra.slice(0, 10).join(", ")}` : null;
}

/** Paths present in what was sent but dropped by parsing (zod objects strip unknown keys). */
function undeclaredFields(sent: unknown, kept: unknown, at = ""): string[] {
  if (Array.isArray(sent) && Array.isArray(kept)) {
    return sent.flatMap((item, i) => undeclaredFields(item, kept[i], `${at}[${i}]`));
  }
  if (!isPlainObject(sent) || !isPlainObject(kept)) return [];
  return Object.entries(sent).flatMap(([k, v]) => {
    const path = at ? `${at}.${k}` : k;
    return k in kept ? undeclaredFields(v, kept[k], path) : [path];
  });
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
