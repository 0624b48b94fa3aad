import { describe, expect, it } from "vitest";
import { z } from "zod";
import { responseMismatch } from "./check-response";

const schema = z.object({ id: z.string(), at: z.string(), items: z.array(z.object({ n: z.number() })), note: z.string().optional() });

describe("responseMismatch", () => {
  it("accepts an answer as the client sees it (dates become strings, undefined fields vanish)", () => {
    expect(responseMismatch(schema, { id: "a", at: new Date(0), items: [{ n: 1 }], note: undefined })).toBeNull();
  });

  it("names a wrong type and a missing field", () => {
    expect(responseMismatch(schema, { id: 1, at: "x", items: [] })).toMatch(/^id: /);
    expect(responseMismatch(schema, { id: "a", items: [] })).toMatch(/at: /);
  });

  it("names fields the schema does not declare, nested in arrays too", () => {
    expect(responseMismatch(schema, { id: "a", at: "x", items: [{ n: 1, secret: "s" }], extra: 1 }))
      .toBe("fields not in the schema: items[0].secret, extra");
  });

  it("leaves open records alone", () => {
    expect(responseMismatch(z.record(z.string(), z.unknown()), { anything: { deep: 1 } })).toBeNull();
  });
});
