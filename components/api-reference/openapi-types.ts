// The parts of an OpenAPI 3.1 document the reference page reads.

export type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  description?: string;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  additionalProperties?: boolean | JsonSchema;
  $ref?: string;
};

export type Parameter = { name: string; in: string; required?: boolean; description?: string; schema?: JsonSchema };
type Content = { content?: Record<string, { schema?: JsonSchema }> };
export type Response = Content & { description?: string };

export type Operation = {
  operationId?: string;
  summary?: string;
  description?: string;
  tags?: string[];
  security?: Record<string, string[]>[];
  "x-required-scopes"?: string[];
  parameters?: Parameter[];
  requestBody?: Content & { required?: boolean };
  responses?: Record<string, Response>;
};

export type OpenApiDocument = {
  openapi: string;
  info: { title: string; version: string; description?: string };
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, JsonSchema>; securitySchemes?: Record<string, { description?: string }> };
};

export type OperationEntry = { method: string; path: string; op: Operation };

const METHODS = ["get", "post", "put", "patch", "delete"];

/** Operations grouped by their first tag, in the order the document lists them. */
export function groupByTag(doc: OpenApiDocument): { tag: string; operations: OperationEntry[] }[] {
  const groups = new Map<string, OperationEntry[]>();
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const tag = op.tags?.[0] ?? "Other";
      if (!groups.has(tag)) groups.set(tag, []);
      groups.get(tag)!.push({ method, path, op });
    }
  }
  return [...groups].map(([tag, operations]) => ({ tag, operations }));
}

export function jsonContent(c: Content | undefined): JsonSchema | undefined {
  return c?.content?.["application/json"]?.schema;
}

export const anchorFor = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
