// Builds the OpenAPI 3.1 document from the endpoint contracts (zod 4's JSON Schema output is
// draft 2020-12, which OpenAPI 3.1 uses as is).
import { z } from "zod";
import type { Endpoint } from "./endpoint";
import { endpoints } from "./endpoints";
import { STATUS_BY_CODE } from "./errors";

const errorSchema = z.object({
  error: z.object({ code: z.enum(Object.keys(STATUS_BY_CODE) as [string, ...string[]]), message: z.string(), details: z.record(z.string(), z.unknown()).optional() }),
  requestId: z.string(),
});

const toSchema = (schema: z.ZodType, io: "input" | "output") =>
  z.toJSONSchema(schema, { target: "draft-2020-12", io, unrepresentable: "any" });

function queryParameters(endpoint: Endpoint) {
  if (!endpoint.query) return [];
  const schema = toSchema(endpoint.query, "input") as { properties?: Record<string, object>; required?: string[] };
  return Object.entries(schema.properties ?? {}).map(([name, s]) => ({
    name, in: "query", required: schema.required?.includes(name) ?? false, schema: s,
  }));
}

function pathParameters(path: string) {
  return [...path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: "path", required: true, schema: { type: "string" } }));
}

const rawRequestBody = (raw: NonNullable<Endpoint["rawBody"]>) => ({
  required: true,
  description: raw.description,
  content: Object.fromEntries(raw.contentTypes.map((t) => [t, { schema: { type: "string", contentMediaType: t } }])),
});

const errorResponse = (description: string) => ({ description, content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } });

export function buildOpenApiDocument(serverUrl = "/") {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [operationId, endpoint] of Object.entries(endpoints) as [string, Endpoint][]) {
    const auth = endpoint.auth ?? "tenant";
    const responses: Record<string, unknown> = {
      [String(endpoint.status ?? 200)]: {
        description: "Success",
        ...(endpoint.response ? { content: { "application/json": { schema: toSchema(endpoint.response, "output") } } } : {}),
      },
      "400": errorResponse("Invalid request (see error.details.fields)"),
      "429": errorResponse("Rate limited; see Retry-After"),
      "503": errorResponse("A dependency is down; see Retry-After"),
    };
    if (auth !== "none") responses["401"] = errorResponse("Missing, invalid, expired or revoked credentials");
    if (endpoint.scopes?.length || auth === "user") responses["403"] = errorResponse("Missing scope or role");
    if (endpoint.path.includes("{")) responses["404"] = errorResponse("Not found (including another tenant's ids)");
    if (endpoint.rawBody) {
      responses["413"] = errorResponse(`The body is larger than ${endpoint.rawBody.maxBytes} bytes`);
      if (!endpoint.rawBody.contentTypes.includes("*/*")) responses["415"] = errorResponse(`Content-Type is not ${endpoint.rawBody.contentTypes.join(" or ")}`);
    }
    paths[endpoint.path] ??= {};
    paths[endpoint.path][endpoint.method.toLowerCase()] = {
      operationId,
      summary: endpoint.summary,
      tags: [endpoint.tag],
      ...(auth === "none" ? { security: [] } : auth === "user" ? { security: [{ cookieSession: [] }] } : {}),
      ...(endpoint.scopes?.length ? { "x-required-scopes": endpoint.scopes } : {}),
      parameters: [
        ...pathParameters(endpoint.path),
        ...queryParameters(endpoint),
        ...(endpoint.method === "POST" && auth === "tenant"
          ? [{ name: "Idempotency-Key", in: "header", required: false, schema: { type: "string", maxLength: 255 } }]
          : []),
      ],
      ...(endpoint.body
        ? { requestBody: { required: true, content: { "application/json": { schema: toSchema(endpoint.body, "input") } } } }
        : {}),
      ...(endpoint.rawBody ? { requestBody: rawRequestBody(endpoint.rawBody) } : {}),
      responses,
    };
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Burrow API",
      version: "1",
      description: "Sessions for AI agents. Authenticate with 'Authorization: Bearer bur_…'. Errors are {error: {code, message, details}, requestId}.",
    },
    servers: [{ url: serverUrl }],
    security: [{ apiKey: [] }, { cookieSession: [] }],
    components: {
      securitySchemes: {
        apiKey: { type: "http", scheme: "bearer", description: "An API key (bur_…)" },
        cookieSession: { type: "apiKey", in: "cookie", name: "authjs.session-token", description: "The console's session; name the tenant in X-Burrow-Tenant" },
      },
      schemas: { Error: toSchema(errorSchema, "output") },
    },
    paths,
  };
}
