import { z } from "zod";
import { describe, expect, it } from "vitest";
import { endpoints } from "./endpoints";
import { buildOpenApiDocument } from "./openapi";

describe("OpenAPI document", () => {
  const doc = buildOpenApiDocument();

  it("is OpenAPI 3.1 with every endpoint", () => {
    expect(doc.openapi).toBe("3.1.0");
    for (const [operationId, e] of Object.entries(endpoints)) {
      const op = doc.paths[e.path]?.[e.method.toLowerCase()] as { operationId: string } | undefined;
      expect(op?.operationId).toBe(operationId);
    }
  });

  it("uses the very schemas that validate requests", () => {
    const op = doc.paths["/api/v1/api-keys"].post as { requestBody: { content: { "application/json": { schema: unknown } } } };
    expect(op.requestBody.content["application/json"].schema).toEqual(z.toJSONSchema(endpoints.createApiKey.body!, { target: "draft-2020-12", io: "input", unrepresentable: "any" }));
    const schema = op.requestBody.content["application/json"].schema as { required: string[]; additionalProperties: boolean };
    expect(schema.required).toEqual(expect.arrayContaining(["name", "scopes"]));
    expect(schema.additionalProperties).toBe(false);
  });

  it("documents raw uploads by content type, with 413 and 415", () => {
    const op = doc.paths["/api/v1/templates/import"].post as { requestBody: { content: Record<string, unknown> }; responses: Record<string, unknown> };
    expect(Object.keys(op.requestBody.content)).toEqual(["application/x-tar", "application/octet-stream"]);
    expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(["201", "413", "415"]));
  });

  it("lists query parameters and required scopes", () => {
    const op = doc.paths["/api/v1/audit-log"].get as { parameters: { name: string }[]; "x-required-scopes": string[] };
    expect(op.parameters.map((p) => p.name)).toEqual(expect.arrayContaining(["limit", "cursor", "action"]));
    expect(op["x-required-scopes"]).toEqual(["admin"]);
  });
});
