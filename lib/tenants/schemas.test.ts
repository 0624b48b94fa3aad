import { describe, expect, it } from "vitest";
import { slugSchema } from "./schemas";

describe("tenant slugs", () => {
  it.each(["acme", "acme-labs", "a1b", "0xdead"])("accepts %s", (s) => expect(slugSchema.safeParse(s).success).toBe(true));
  it.each(["ab", "-acme", "acme-", "Acme Labs", "acme_labs", "api", "x".repeat(41), "a'--"])("refuses %s", (s) => {
    expect(slugSchema.safeParse(s).success).toBe(false);
  });
  it("lower-cases", () => expect(slugSchema.parse("ACME")).toBe("acme"));
});
