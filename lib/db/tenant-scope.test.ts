import { describe, expect, it } from "vitest";
import { scopeArgs } from "./tenant-scope";

describe("scopeArgs", () => {
  it("adds the tenant to every where, overriding a tenantId the caller passed", () => {
    expect(scopeArgs("ten_a", "findFirst", { where: { id: "x", tenantId: "ten_b" } })).toEqual({ where: { id: "x", tenantId: "ten_a" } });
    expect(scopeArgs("ten_a", "findMany", undefined)).toEqual({ where: { tenantId: "ten_a" } });
    expect(scopeArgs("ten_a", "deleteMany", {})).toEqual({ where: { tenantId: "ten_a" } });
    expect(scopeArgs("ten_a", "update", { where: { id: "x" }, data: { name: "n" } })).toEqual({ where: { id: "x", tenantId: "ten_a" }, data: { name: "n" } });
  });

  it("stamps the tenant on created rows", () => {
    expect(scopeArgs("ten_a", "create", { data: { id: "x", tenantId: "ten_b" } })).toEqual({ data: { id: "x", tenantId: "ten_a" } });
    expect(scopeArgs("ten_a", "createMany", { data: [{ id: "1" }, { id: "2" }] })).toEqual({ data: [{ id: "1", tenantId: "ten_a" }, { id: "2", tenantId: "ten_a" }] });
    expect(scopeArgs("ten_a", "upsert", { where: { id: "x" }, create: { id: "x" } })).toEqual({ where: { id: "x", tenantId: "ten_a" }, create: { id: "x", tenantId: "ten_a" } });
  });
});
