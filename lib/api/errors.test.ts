import { describe, expect, it } from "vitest";
import { AppError, databaseErrorAsAppError, isDatabaseBusy, isDatabaseUnavailable, STATUS_BY_CODE } from "./errors";

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

  it("recognise an overloaded database (a transaction that could not start, a lock or connection limit) as 503, not 500", () => {
    const p2028 = Object.assign(new Error("Transaction API error: Unable to start a transaction in the given time."), { code: "P2028" });
    expect(isDatabaseBusy(p2028)).toBe(true);
    expect(isDatabaseBusy(new Error("outer", { cause: { code: "55P03", message: "canceling statement due to lock timeout" } }))).toBe(true);
    expect(isDatabaseBusy(new Error("sorry, too many clients already"))).toBe(true);
    expect(isDatabaseBusy(Object.assign(new Error("duplicate key"), { code: "23505" }))).toBe(false);
    const answer = databaseErrorAsAppError(p2028);
    expect(answer?.status).toBe(503);
    expect(Number(answer?.headers?.["Retry-After"])).toBeGreaterThan(0);
    expect(databaseErrorAsAppError(new Error("timeout exceeded when trying to connect"))?.status).toBe(503);
    expect(databaseErrorAsAppError(new Error("a bug"))).toBeNull();
  });
});
