import { describe, expect, it } from "vitest";
import { AppError, isDatabaseUnavailable, STATUS_BY_CODE } from "./errors";

describe("errors", () => {
  it("map codes to statuses", () => {
    expect(new AppError("not_found", "x").status).toBe(404);
    expect(new AppError("quota_exceeded", "x").status).toBe(429);
    expect(Object.values(STATUS_BY_CODE).every((s) => s >= 400)).toBe(true);
  });

  it("recognise an unreachable database, also when wrapped", () => {
    expect(isDatabaseUnavailable(Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" }))).toBe(true);
    expect(isDatabaseUnavailable(new Error("outer", { cause: { code: "57P01", message: "terminating connection" } }))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error("duplicate key"), { code: "23505" }))).toBe(false);
    expect(isDatabaseUnavailable(undefined)).toBe(false);
  });
});
