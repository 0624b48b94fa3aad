import type { JsonSchema } from "./openapi-types";

const MAX_DEPTH = 5;

/** A short type name: "string | null", "array of object", "Error". */
export function typeLabel(s: JsonSchema | undefined): string {
  if (!s) return "any";
  if (s.$ref) return s.$ref.split("/").pop() ?? s.$ref;
  const union = s.anyOf ?? s.oneOf;
  if (union) return union.map(typeLabel).join(" | ");
  if (s.const !== undefined) return JSON.stringify(s.const);
  const types = Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
  const label = types.map((t) => (t === "array" ? `array of ${typeLabel(s.items)}` : t)).join(" | ");
  if (label) return label;
  if (s.properties) return "object";
  return "any";
}

/** The object part of a schema, looking through nullable unions and arrays, to list its fields. */
function objectOf(s: JsonSchema | undefined): JsonSchema | undefined {
  if (!s) return undefined;
  if (s.properties) return s;
  if (s.items) return objectOf(s.items);
  for (const option of s.anyOf ?? s.oneOf ?? []) {
    const o = objectOf(option);
    if (o) return o;
  }
  return undefined;
}

function constraints(s: JsonSchema): string[] {
  const out: string[] = [];
  const inner = s.items && !s.items.properties ? s.items : s;
  if (s.format) out.push(`format: ${s.format}`);
  else if (s.pattern) out.push(`pattern: ${s.pattern}`);
  if (s.minLength !== undefined || s.maxLength !== undefined) out.push(`length ${s.minLength ?? 0}–${s.maxLength ?? "∞"}`);
  if (s.minimum !== undefined || s.maximum !== undefined) out.push(`${s.minimum ?? "−∞"} ≤ value ≤ ${s.maximum ?? "∞"}`);
  if (s.minItems !== undefined || s.maxItems !== undefined) out.push(`${s.minItems ?? 0}–${s.maxItems ?? "∞"} items`);
  if (s.default !== undefined) out.push(`default: ${JSON.stringify(s.default)}`);
  if (inner !== s && inner.format) out.push(`items: ${inner.format}`);
  return out;
}

/** The fields of an object schema as a nested list: name, type, required, description, rules. */
export function SchemaView({ schema, depth = 0 }: { schema: JsonSchema | undefined; depth?: number }) {
  const obj = objectOf(schema);
  if (!obj?.properties || Object.keys(obj.properties).length === 0) {
    return <p className="text-xs text-zinc-500"><code className="font-mono">{typeLabel(schema)}</code>{depth === 0 && obj ? " (no fields)" : ""}</p>;
  }
  const required = new Set(obj.required ?? []);
  return (
    <ul className={`space-y-2 ${depth > 0 ? "mt-2 border-l border-zinc-200 pl-3" : ""}`}>
      {Object.entries(obj.properties).map(([name, prop]) => {
        const enumValues = prop.enum ?? prop.items?.enum;
        const nested = objectOf(prop);
        return (
          <li key={name} className="text-sm">
            <div className="flex flex-wrap items-baseline gap-x-2 gap-y-0.5">
              <code className="font-mono font-medium text-zinc-900">{name}</code>
              <code className="font-mono text-xs text-indigo-700">{typeLabel(prop)}</code>
              {required.has(name) ? (
                <span className="text-[11px] font-medium tracking-wide text-red-600 uppercase">required</span>
              ) : (
                <span className="text-[11px] tracking-wide text-zinc-500 uppercase">optional</span>
              )}
            </div>
            {prop.description && <p className="text-xs text-zinc-600">{prop.description}</p>}
            {enumValues && (
              <p className="mt-0.5 flex flex-wrap gap-1 text-xs text-zinc-500">
                one of{" "}
                {enumValues.map((v) => <code key={String(v)} className="rounded bg-zinc-100 px-1 font-mono text-[11px] text-zinc-700">{String(v)}</code>)}
              </p>
            )}
            {constraints(prop).length > 0 && <p className="text-xs break-all text-zinc-500">{constraints(prop).join(" · ")}</p>}
            {nested && depth < MAX_DEPTH && <SchemaView schema={nested} depth={depth + 1} />}
          </li>
        );
      })}
    </ul>
  );
}
